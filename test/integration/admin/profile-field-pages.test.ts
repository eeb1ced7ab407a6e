// The profile field pages (/admin/profile-fields) through HTTP: define a field, change its collection rule
// (asked from a visit on, priority) and turn it off, remove one after a confirmation — a field accounts hold
// values of is refused with the way to retire it instead; bad input is a 400 page with the API's message
// linked to its field and nothing saved; a post without CSRF and a viewer change nothing. The order page moves
// a field one place at a time, through the API's reorder operation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPageAdmins, pageChangeRoutes, postWithToken, signInToAdmin } from '../../support/admin-pages.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let operatorId: string;
const definition = async (key: string) => (await server.services.profileFields.list()).find((f) => f.key === key)?.definition;
const NEW_FIELD = { key: 'shoe_size', type: 'number', label: 'en: Shoe size\nde: Schuhgröße', purpose: 'account', scope: 'profile', ask: 'signup', priority: '0' };

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false }, profile: { fields: [{ key: 'given_name', label: { en: 'First name' } }] } } as never);
  ({ operatorId } = await addPageAdmins(server));
});
afterAll(async () => server?.stop());

describe('the profile field pages', () => {
  it('defines a field, changes its collection rule, turns it off and removes it after a confirmation, each audited', async () => {
    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const form = await browser.get(`${server.url}/admin/profile-fields/new`);
    for (const id of ['field-key', 'field-type', 'field-label', 'field-ask-rule', 'field-from-visit', 'field-priority', 'field-enabled-box']) expect(form.html).toContain(`<label for="${id}">`);
    const created = await browser.submit(form, '/admin/profile-fields/new', { ...NEW_FIELD, enabled: ['', 'yes'] });
    expect(created.html).toContain('Defined shoe_size.');
    expect(await definition('shoe_size')).toMatchObject({ type: 'number', label: { en: 'Shoe size', de: 'Schuhgröße' }, ask: 'signup', enabled: true, scope: 'profile' });

    const edit = await browser.get(`${server.url}/admin/profile-fields/shoe_size/edit`);
    expect(edit.html).toContain('de: Schuhgröße');
    const saved = await browser.submit(edit, '/admin/profile-fields/shoe_size/edit', {
      label: 'en: Shoe size (EU)', purpose: 'account', scope: 'profile', ask: 'fromVisit', from_visit: '3', priority: '5', enabled: '', validation_min: '15', validation_max: '60', validation_pattern: '',
    });
    expect(saved.html).toContain('Saved.');
    expect(await definition('shoe_size')).toMatchObject({ label: { en: 'Shoe size (EU)' }, ask: { fromVisit: 3 }, priority: 5, enabled: false, validation: { min: 15, max: 60 } });

    const asked = await browser.submit(saved, '/admin/profile-fields/shoe_size/remove', {});
    expect(asked.html).toContain('Remove the profile field shoe_size?');
    expect(await definition('shoe_size')).toBeDefined();
    const removed = await browser.submit(asked, '/admin/profile-fields/shoe_size/remove', {});
    expect(removed.html).toContain('Removed shoe_size.');
    expect(await definition('shoe_size')).toBeUndefined();
    expect(await pageChangeRoutes(server, operatorId)).toEqual(['/admin/profile-fields/new', '/admin/profile-fields/:key/edit', '/admin/profile-fields/:key/remove']);
  });

  it('refuses to remove a field accounts hold values of, pointing to turning it off', async () => {
    const customer = await server.services.accounts.insertAccount({ email: 'holder@example.com', status: 'active', emailVerified: true });
    await server.services.profile.setFieldValue({ accountId: customer.id, field: 'given_name', value: 'Dora', source: 'admin' });
    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const page = await browser.get(`${server.url}/admin/profile-fields/given_name/edit`);
    const refused = await browser.submit(await browser.submit(page, '/admin/profile-fields/given_name/remove', {}), '/admin/profile-fields/given_name/remove', {});
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('href="#field-enabled">1 account(s) hold a value of given_name; disable the field instead');
    expect(await definition('given_name')).toBeDefined();
  });

  it('refuses bad input with a 400 page naming the problem, linked to its field, and saves nothing', async () => {
    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const form = await browser.get(`${server.url}/admin/profile-fields/new`);
    const bad = await browser.submit(form, '/admin/profile-fields/new', { ...NEW_FIELD, key: 'Shoe Size', ask: 'fromVisit', from_visit: '0' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('href="#field-key">key: field keys are lower-case');
    expect(bad.html).toContain('href="#field-ask">');
    expect(bad.html).toContain('value="Shoe Size"');
    const choice = await browser.submit(form, '/admin/profile-fields/new', { ...NEW_FIELD, type: 'single_choice' });
    expect(choice.status).toBe(400);
    expect(choice.html).toContain('shoe_size: a single_choice field needs options');
    const edit = await browser.get(`${server.url}/admin/profile-fields/given_name/edit`);
    const badEdit = await browser.submit(edit, '/admin/profile-fields/given_name/edit', { label: '', priority: 'high' });
    expect(badEdit.status).toBe(400);
    expect(badEdit.html).toContain('href="#field-priority">priority:');
    expect((await server.services.profileFields.list()).map((f) => f.key)).toEqual(['given_name']);
    expect(await definition('given_name')).toMatchObject({ label: { en: 'First name' }, priority: 0 });
  });

  it('refuses a post without the CSRF token, and a viewer, with a page saying what is missing', async () => {
    const operator = await signInToAdmin(server, 'operator@example.com');
    const form = await operator.browser.get(`${server.url}/admin/profile-fields/new`);
    expect((await operator.browser.submit(form, '/admin/profile-fields/new', NEW_FIELD, { omitCsrf: true })).status).toBe(403);
    const viewer = await signInToAdmin(server, 'viewer@example.com');
    const list = await viewer.browser.get(`${server.url}/admin/profile-fields`);
    expect(list.status).toBe(200);
    expect(list.html).toContain('data-field="given_name"');
    const refused = await postWithToken(viewer.browser, server, list, '/admin/profile-fields/new', NEW_FIELD);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('This needs the operator role; your role is viewer.');
    expect(await definition('shoe_size')).toBeUndefined();
  });

  it('moves a field one place up on the order page, from the order as it is now; a viewer moves nothing', async () => {
    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const form = await browser.get(`${server.url}/admin/profile-fields/new`);
    expect((await browser.submit(form, '/admin/profile-fields/new', { ...NEW_FIELD, key: 'hat_size', label: 'en: Hat size', enabled: ['', 'yes'] })).html).toContain('Defined hat_size.');
    const keys = async () => (await server.services.profileFields.list()).map((f) => f.key);
    const before = await keys();
    const at = before.indexOf('hat_size');
    expect(at).toBeGreaterThan(0);

    const page = await browser.get(`${server.url}/admin/profile-fields/order`);
    expect(page.html).toMatch(/<h1[^>]*>Order of the profile fields<\/h1>/);
    expect(page.html).toContain('aria-label="Move up: Hat size">Move up</button>');
    const moved = await browser.submit(page, '/admin/profile-fields/order', { key: 'hat_size', move: 'up' });
    expect(new URL(moved.url).pathname).toBe('/admin/profile-fields/order');
    expect(moved.html).toContain('Moved hat_size.');
    const after = await keys();
    expect(after).toEqual([...before.slice(0, at - 1), 'hat_size', before[at - 1], ...before.slice(at + 1)]);
    expect(await pageChangeRoutes(server, operatorId)).toContain('/admin/profile-fields/order');

    // The first field has nowhere higher to go, and an unknown field is a 404: the order stays.
    expect((await browser.submit(page, '/admin/profile-fields/order', { key: after[0]!, move: 'up' })).status).toBe(200);
    expect((await browser.submit(page, '/admin/profile-fields/order', { key: 'no_such_field', move: 'up' })).status).toBe(404);
    expect(await keys()).toEqual(after);

    const viewer = await signInToAdmin(server, 'viewer@example.com');
    const viewed = await viewer.browser.get(`${server.url}/admin/profile-fields/order`);
    expect(viewed.status).toBe(200);
    expect((await postWithToken(viewer.browser, server, viewed, '/admin/profile-fields/order', { key: 'hat_size', move: 'down' })).status).toBe(403);
    expect(await keys()).toEqual(after);
  });
});
