// The API resources pages (/admin/resources) through HTTP: register an API, change its scopes, remove it behind
// a confirmation, each audited; bad input is a 400 page with the API's message and nothing saved; Foyer's own
// APIs cannot be changed; a post without CSRF and a viewer change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPageAdmins, pageChangeRoutes, postWithToken, signInToAdmin } from '../../support/admin-pages.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let operatorId: string;
const API = 'https://api.shop.example/orders';
const find = async (id: string) => (await server.services.resources.listResources()).find((r) => r.id === id);

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false } } as never);
  ({ operatorId } = await addPageAdmins(server));
});
afterAll(async () => server?.stop());

describe('the API resources pages', () => {
  it('registers an API, changes its scopes and removes it after a confirmation, each audited', async () => {
    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const form = await browser.get(`${server.url}/admin/resources/new`);
    for (const id of ['resource-id', 'resource-scopes']) expect(form.html).toContain(`<label for="${id}">`);
    const created = await browser.submit(form, '/admin/resources/save', { id: API, scopes: 'orders:read orders:write' });
    expect(new URL(created.url).pathname).toBe('/admin/resources');
    expect(created.html).toContain(`Registered ${API}.`);
    expect((await find(API))?.scopes).toEqual(['orders:read', 'orders:write']);
    const edit = await browser.get(`${server.url}/admin/resources/edit?id=${encodeURIComponent(API)}`);
    expect(edit.html).toContain('value="orders:read orders:write"');
    await browser.submit(edit, '/admin/resources/save', { scopes: 'orders:read' });
    expect((await find(API))?.scopes).toEqual(['orders:read']);
    const asked = await browser.submit(edit, '/admin/resources/remove', {});
    expect(asked.html).toContain(`Remove the API ${API}?`);
    expect(await find(API)).toBeDefined();
    const removed = await browser.submit(asked, '/admin/resources/remove', {});
    expect(removed.html).toContain(`Removed ${API}.`);
    expect(await find(API)).toBeUndefined();
    expect(await pageChangeRoutes(server, operatorId)).toEqual(['/admin/resources/save', '/admin/resources/save', '/admin/resources/remove']);
  });

  it('refuses bad input and Foyer\'s own APIs with a 400 or 409 page naming the problem, and saves nothing', async () => {
    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const form = await browser.get(`${server.url}/admin/resources/new`);
    const bad = await browser.submit(form, '/admin/resources/save', { id: 'ftp://files.example', scopes: '' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('href="#resource-id">id: needs an http(s) URL');
    expect(bad.html).toContain('href="#resource-scopes">scopes: needs one or more scope names');
    const own = await browser.submit(form, '/admin/resources/save', { id: `${server.url}/admin/api`, scopes: 'everything' });
    expect(own.status).toBe(409);
    expect(own.html).toContain('one of Foyer&#x27;s own APIs');
    expect(await server.services.resources.listResources()).toEqual([]);
  });

  it('refuses a post without the CSRF token, and a viewer, with a page saying what is missing', async () => {
    const operator = await signInToAdmin(server, 'operator@example.com');
    const form = await operator.browser.get(`${server.url}/admin/resources/new`);
    expect((await operator.browser.submit(form, '/admin/resources/save', { id: API, scopes: 'read' }, { omitCsrf: true })).status).toBe(403);
    const viewer = await signInToAdmin(server, 'viewer@example.com');
    const list = await viewer.browser.get(`${server.url}/admin/resources`);
    expect(list.status).toBe(200);
    const refused = await postWithToken(viewer.browser, server, list, '/admin/resources/save', { id: API, scopes: 'read' });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('This needs the operator role; your role is viewer.');
    expect(await find(API)).toBeUndefined();
  });
});
