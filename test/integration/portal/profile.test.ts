// The profile section (/account/profile and /account/api/profile): every field with its value, who set it
// and when, why it is held (purpose, legal basis) and which apps receive it; one field saved at a time with
// provenance 'customer', invalid input re-rendered as typed, CSRF required; the API edits only its own account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { accessTokenFor, callAccountApi, createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let shop: RelyingParty;
let settings: RelyingParty;
const password = 'a long and unusual passphrase';
let adaId: string;

beforeAll(async () => {
  server = await startTestServer({
    profile: {
      fields: [
        { key: 'given_name', label: { en: 'First name' }, purpose: 'marketing' },
        { key: 'birthdate', type: 'date', label: { en: 'Date of birth' }, purpose: 'account' },
        { key: 'colour', type: 'single_choice', label: { en: 'Favourite colour' }, purpose: 'marketing', scope: 'preferences',
          options: [{ value: 'red', label: { en: 'Red' } }, { value: 'blue', label: { en: 'Blue' } }] },
      ],
    },
  } as never);
  shop = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid profile' });
  settings = await createRelyingParty(server, { clientId: 'settings-app', name: 'Settings', scope: 'openid account' });
  adaId = await createPasswordAccount(server, 'ada@example.com', password);
  await server.services.profile.setFieldValue({ accountId: adaId, field: 'given_name', value: 'Ada', source: 'admin' });
  await accessTokenFor(shop, 'ada@example.com', password, 'openid profile'); // Shop is granted `profile`
});
afterAll(async () => server?.stop());

const sectionOf = (html: string, key: string) => html.slice(html.indexOf(`id="profile-${key}"`), html.indexOf('</section>', html.indexOf(`id="profile-${key}"`)));

describe('the profile page', () => {
  it('shows each value with its provenance, purpose, legal basis and the apps that receive it', async () => {
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, 'ada@example.com', password, '/account/profile');
    const name = sectionOf(page.html, 'given_name');
    expect(name).toContain('value="Ada"');
    expect(name).toContain('Set by An administrator');
    expect(name).toContain('Held for: Marketing (Your consent)');
    // Marketing rests on consent, not given yet: no app receives the field although Shop has the scope.
    expect(name).toContain('Not shared: you have not consented to Marketing.');
    expect(name).toContain('No app receives it');
    await server.services.purposes.choose(adaId, 'marketing', 'grant', { channel: 'test' });
    const consented = sectionOf((await browser.get(`${server.url}/account/profile`)).html, 'given_name');
    expect(consented).toContain('Shared: you consented to Marketing.');
    expect(consented).toContain('Apps that receive it: Shop');
    const colour = sectionOf(page.html, 'colour');
    expect(colour).toContain('Not given yet');
    expect(colour).toContain('No app receives it');
    expect(sectionOf(page.html, 'birthdate')).toContain('Needed for the service you signed up for');
  });

  it('keeps invalid input with its error, saves a valid value as the customer\'s, and needs the CSRF token', async () => {
    const browser = new FormBrowser();
    let page = await signInToAccount(server, browser, 'ada@example.com', password, '/account/profile');
    const invalid = await browser.submit(page, '/account/profile/birthdate', { birthdate: '31/02/1990' });
    expect(invalid.status).toBe(400);
    expect(sectionOf(invalid.html, 'birthdate')).toContain('value="31/02/1990"');
    expect(sectionOf(invalid.html, 'birthdate')).toContain('class="field-error"');
    expect(await server.services.db('profile_values').where({ account_id: adaId, field: 'birthdate' })).toHaveLength(0);

    const forged = await browser.submit(page, '/account/profile/birthdate', { birthdate: '1990-05-01' }, { omitCsrf: true });
    expect(forged.status).toBe(403);

    page = await browser.submit(page, '/account/profile/colour', { colour: 'blue' });
    expect(page.html).toContain('Saved.');
    expect(sectionOf(page.html, 'colour')).toContain('Set by You');
    const row = await server.services.db('profile_values').where({ account_id: adaId, field: 'colour' }).first() as { value: unknown; source: string };
    expect(row).toMatchObject({ value: 'blue', source: 'customer' });
    // The other field keeps its own provenance.
    expect(sectionOf(page.html, 'given_name')).toContain('Set by An administrator');
  });

  it('answers 404 for a field that is not in the schema', async () => {
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, 'ada@example.com', password, '/account/profile');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const unknown = await browser.request(`${server.url}/account/profile/shoe_size`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, shoe_size: '42' }).toString() });
    expect(unknown.status).toBe(404);
  });
});

describe('the profile Account API', () => {
  it('lists fields with provenance and purpose, and saves only valid values to the caller\'s own account', async () => {
    const graceId = await createPasswordAccount(server, 'grace@example.com', password);
    const { accessToken } = await accessTokenFor(settings, 'grace@example.com', password, 'openid account');
    const listed = await callAccountApi(server, '/profile', accessToken);
    expect(listed.status).toBe(200);
    expect((listed.json.fields as { key: string; purpose: string; legal_basis: string }[]).find((f) => f.key === 'given_name')).toMatchObject({ purpose: 'marketing', legal_basis: 'consent' });

    const bad = await callAccountApi(server, '/profile', accessToken, { method: 'PATCH', body: { birthdate: 'yesterday' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'invalid_profile', fields: { birthdate: expect.any(String) } });

    const saved = await callAccountApi(server, '/profile', accessToken, { method: 'PATCH', body: { given_name: 'Grace' } });
    expect(saved.status).toBe(200);
    // PATCH answers what GET answers: purpose, basis, whether it is shared now and why.
    const after = await callAccountApi(server, '/profile', accessToken);
    expect(saved.json).toEqual(after.json);
    expect((saved.json.fields as Record<string, unknown>[]).find((f) => f.key === 'given_name')).toMatchObject({
      value: 'Grace', purpose: 'marketing', purpose_name: 'Marketing', legal_basis: 'consent', allowed: false, reason: 'no_consent',
      why: 'Not shared: you have not consented to Marketing.', received_by: [], sent_to: [],
    });
    expect((saved.json.fields as Record<string, unknown>[]).find((f) => f.key === 'birthdate')).toMatchObject({ legal_basis: 'contract', allowed: true, reason: 'legal_basis' });
    const rows = await server.services.db('profile_values').where({ field: 'given_name' }).select('account_id', 'value', 'source') as { account_id: string; value: unknown; source: string }[];
    expect(rows.find((r) => r.account_id === graceId)).toMatchObject({ value: 'Grace', source: 'customer' });
    expect(rows.find((r) => r.account_id === adaId)).toMatchObject({ value: 'Ada', source: 'admin' });

    const noToken = await callAccountApi(server, '/profile', undefined, { method: 'PATCH', body: { given_name: 'Mallory' } });
    expect(noToken.status).toBe(401);
  });
});
