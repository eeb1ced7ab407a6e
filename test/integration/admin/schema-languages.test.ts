// The rules written in the schemas speak the reader's language on the admin pages: a Polish operator breaking one
// on the apps form (checked there with the API's own schema) or the webhooks form (checked by the webhook store)
// reads the refusal in Polish, numbers and all. The admin API answers the same mistake in English whatever the
// caller's Accept-Language, in its problem+json shape.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCaller, adminToken } from '../../support/admin-api.ts';
import { OPERATOR, signInToAdmin, startAdminPagesServer } from '../../support/admin-pages.ts';
import { CALLBACK, createRelyingParty } from '../../support/relying-party.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;
let token: string;
const call = adminCaller(() => server.url, () => token);

const REGISTER = {
  client_id: 'shop-web', public: 'no', client_name: 'Shop', redirect_uris: CALLBACK, scope: 'openid email', grant_types: ['authorization_code', 'refresh_token'],
  id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic', mfa: 'optional',
};

beforeAll(async () => {
  server = await startAdminPagesServer();
  token = await adminToken(server, await createRelyingParty(server, { clientId: 'ops', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin' }));
});
afterAll(async () => server?.stop());

async function polishOperator() {
  const { browser } = await signInToAdmin(server, OPERATOR);
  await browser.get(`${server.url}/language/pl?next=/admin`);
  expect(browser.cookie('foyer_lang')).toBe('pl');
  return browser;
}

describe('schema rules on the admin pages, in Polish', () => {
  it('refuses a new app in Polish, each message linked to its field, and registers nothing', async () => {
    const browser = await polishOperator();
    const form = await browser.get(`${server.url}/admin/clients/new`);
    const bad = await browser.submit(form, '/admin/clients/new', { ...REGISTER, client_id: 'bad app', client_secret: 'too short', redirect_uris: 'not a url' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('<html lang="pl"');
    expect(bad.html).toContain('href="#client-client_id">client_id: litery, cyfry, . _ : - (najwyżej 128)');
    expect(bad.html).toContain('client_secret: musi mieć co najmniej 32 znaki');
    expect(bad.html).toContain('href="#client-redirect_uris">redirect_uris.0: wymaga adresu URL http(s)');
    expect(bad.html).not.toContain('needs an http(s) URL');
    expect(bad.html).not.toContain('must be at least');
    expect(await server.services.clients.showClient('bad app')).toBeUndefined();
  });

  it('refuses a webhook whose address breaks the store’s rule in Polish, keeping what was typed', async () => {
    const browser = await polishOperator();
    const page = await browser.get(`${server.url}/admin/webhooks`);
    const bad = await browser.submit(page, '/admin/webhooks', { name: 'CRM', url: 'https://user:pw@crm.example/h', events: '*', fields: 'email' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('url: nie może zawierać nazwy użytkownika ani hasła (to podpis uwierzytelnia Foyer)');
    expect(bad.html).not.toContain('must not carry a user name');
    expect(await server.services.webhooks.list()).toEqual([]);
  });
});

describe('the same rules through the admin API', () => {
  it('answers in English whatever Accept-Language asks, as problem+json naming the field', async () => {
    const refused = await call('/clients', { method: 'POST', body: { client_id: 'shop', client_name: 'Shop', redirect_uris: ['not a url'] }, headers: { 'accept-language': 'pl' } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({
      type: 'urn:foyer:error:request.invalid', title: 'Bad Request', status: 400, error: 'request.invalid',
      detail: 'redirect_uris.0: needs an http(s) URL', message: 'redirect_uris.0: needs an http(s) URL',
    });
    const webhook = await call('/webhooks', { method: 'POST', body: { name: 'CRM', url: 'https://user:pw@crm.example/h', events: ['*'], fields: [] }, headers: { 'accept-language': 'pl' } });
    expect(webhook.status).toBe(400);
    expect(webhook.body).toMatchObject({ error: 'request.invalid', detail: 'url: must not carry a user name or password (the signature authenticates Foyer)' });
  });
});
