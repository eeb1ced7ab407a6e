// /admin/api/clients and /admin/api/resources through the real HTTP surface: clients made there sign customers
// in (openid-client, the hosted journey) and get API tokens at once; a change applies to the next request;
// bad input is a 400 naming the field, never a 5xx; Foyer's own client cannot be changed.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCaller, adminToken } from '../../support/admin-api.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, relyingPartyOf } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let token: string;
const call = adminCaller(() => server.url, () => token);
const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple 42';
const ELSEWHERE = 'http://127.0.0.1:9/elsewhere';

beforeAll(async () => {
  server = await startTestServer();
  token = await adminToken(server, await createRelyingParty(server, { clientId: 'ops', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin' }));
  await createPasswordAccount(server, EMAIL, PASSWORD);
});
afterAll(async () => server?.stop());

/** Signs in through the journey (or SSO) and returns the callback the browser reached. */
async function signIn(browser: ReturnType<typeof newBrowser>, url: string) {
  const start = await browser.get(url);
  return throughPrompts(browser, start.html.includes('name="email"') ? await enterEmailAndPassword(browser, start, EMAIL, PASSWORD) : start);
}

describe('a confidential client made through the API', () => {
  let secret: string;

  it('is answered with its generated secret once, and never shown again', async () => {
    const created = await call('/clients', { method: 'POST', body: { client_id: 'shop', client_name: 'Shop', redirect_uris: [CALLBACK], scope: 'openid email profile offline_access' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('location')).toBe('/admin/api/clients/shop');
    expect(created.body).toMatchObject({ client_id: 'shop', client_name: 'Shop', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'] });
    secret = String(created.body!.client_secret);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const [listed, shown] = [await call('/clients'), await call('/clients/shop')];
    expect((listed.body!.clients as { client_id: string }[]).map((c) => c.client_id)).toEqual(expect.arrayContaining(['ops', 'shop', 'foyer-account']));
    expect(shown.body).toMatchObject({ client_id: 'shop' });
    for (const answer of [listed, shown]) expect(JSON.stringify(answer.body)).not.toContain(secret);
    expect((await call('/clients', { method: 'POST', body: { client_id: 'shop', redirect_uris: [CALLBACK] } })).body).toMatchObject({ error: 'client.exists' });
  });

  it('signs a customer in with its secret, and a PATCHed redirect URI works for the very next request', async () => {
    const rp = await relyingPartyOf(server, 'shop', secret);
    const browser = newBrowser();
    const auth = await rp.authorizationUrl();
    const tokens = await rp.exchange((await signIn(browser, auth.url)).url, auth);
    expect(tokens.claims()).toMatchObject({ aud: 'shop' });

    const patched = await call('/clients/shop', { method: 'PATCH', body: { redirect_uris: [ELSEWHERE], client_name: 'The Shop' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ client_name: 'The Shop', redirect_uris: [ELSEWHERE], scope: 'openid email profile offline_access' });
    const moved = await relyingPartyOf(server, 'shop', secret, ELSEWHERE);
    const again = await moved.authorizationUrl();
    const landed = await signIn(browser, again.url);
    expect(landed.url.startsWith(`${ELSEWHERE}?`), landed.url).toBe(true);
    expect((await moved.exchange(landed.url, again)).claims()).toMatchObject({ aud: 'shop' });
    const old = await browser.get((await rp.authorizationUrl()).url);
    expect(old.url.startsWith(CALLBACK)).toBe(false);
    expect(old.status).toBe(400);
  });

  it('rotates its secret: the old one stops working at once', async () => {
    await call('/clients/shop', { method: 'PATCH', body: { grant_types: ['authorization_code', 'client_credentials'] } });
    const rotated = await call('/clients/shop/rotate-secret', { method: 'POST' });
    expect(rotated.body).toMatchObject({ client_id: 'shop', client_secret: expect.any(String) });
    const fresh = String(rotated.body!.client_secret);
    expect(fresh).not.toBe(secret);
    await expect(oidc.clientCredentialsGrant((await relyingPartyOf(server, 'shop', secret)).config, {})).rejects.toMatchObject({ status: 401 });
    expect((await oidc.clientCredentialsGrant((await relyingPartyOf(server, 'shop', fresh)).config, {})).access_token).toBeTruthy();
    secret = fresh;
  });

  it('removed, its tokens stop working and it is gone', async () => {
    const rp = await relyingPartyOf(server, 'shop', secret, ELSEWHERE);
    const auth = await rp.authorizationUrl();
    const tokens = await rp.exchange((await signIn(newBrowser(), auth.url)).url, auth);
    const sub = tokens.claims()!.sub;
    expect(await oidc.fetchUserInfo(rp.config, tokens.access_token, sub)).toMatchObject({ sub });
    expect((await call('/clients/shop', { method: 'DELETE' })).status).toBe(204);
    const userinfo = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect((await call('/clients/shop')).body).toMatchObject({ error: 'client.not_found' });
    expect((await call('/clients/shop', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('a public client made through the API', () => {
  it('has no secret and must use PKCE', async () => {
    const created = await call('/clients', { method: 'POST', body: { client_id: 'spa', public: true, redirect_uris: [CALLBACK], mfa: 'off', first_party: true } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ token_endpoint_auth_method: 'none', mfa: 'off', first_party: true });
    expect(created.body).not.toHaveProperty('client_secret');
    const rp = await relyingPartyOf(server, 'spa');
    const browser = newBrowser();
    const withoutPkce = await browser.get(oidc.buildAuthorizationUrl(rp.config, { redirect_uri: CALLBACK, scope: 'openid', state: 'abc' }).href);
    expect(new URL(withoutPkce.url).searchParams.get('error')).toBe('invalid_request');
    const auth = await rp.authorizationUrl();
    expect((await rp.exchange((await signIn(browser, auth.url)).url, auth)).claims()).toMatchObject({ aud: 'spa' });
    expect((await call('/clients/spa/rotate-secret', { method: 'POST' })).body).toMatchObject({ error: 'client.public' });
    expect((await call('/clients/spa', { method: 'PATCH', body: { grant_types: ['client_credentials'] } })).body!.message).toBe('a public client cannot use client_credentials');
  });
});

describe('an API and a client for it', () => {
  it('registers the API, then a client that gets its JWT access tokens', async () => {
    const api = 'https://orders.example/api';
    const added = await call('/resources', { method: 'POST', body: { id: api, scopes: ['orders:read', 'orders:write'] } });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: api, scopes: ['orders:read', 'orders:write'] });
    const replaced = await call('/resources', { method: 'POST', body: { id: api, scopes: ['orders:read'] } });
    expect(replaced.status).toBe(200);
    expect((await call('/resources')).body!.resources).toEqual([expect.objectContaining({ id: api, scopes: ['orders:read'] })]);
    const created = await call('/clients', { method: 'POST', body: { client_id: 'warehouse', grant_types: ['client_credentials'], scope: 'orders:read' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const rp = await relyingPartyOf(server, 'warehouse', String(created.body!.client_secret));
    const granted = await oidc.clientCredentialsGrant(rp.config, { scope: 'orders:read', resource: api });
    expect(JSON.parse(Buffer.from(granted.access_token.split('.')[1]!, 'base64url').toString())).toMatchObject({ aud: api, scope: 'orders:read', client_id: 'warehouse' });

    expect((await call(`/resources?id=${encodeURIComponent(api)}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/resources?id=${encodeURIComponent(api)}`, { method: 'DELETE' })).status).toBe(404);
    await expect(oidc.clientCredentialsGrant(rp.config, { scope: 'orders:read', resource: api })).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('refuses bad resources and Foyer\'s own APIs', async () => {
    const cases: [unknown, string][] = [
      [{ id: 'ftp://orders.example', scopes: ['read'] }, 'id: needs an http(s) URL'],
      [{ id: 'https://orders.example', scopes: [] }, 'scopes: needs one or more scope names'],
      [{ id: 'https://orders.example', scopes: ['a b'] }, 'scopes.0: scope names'],
      [{ id: 'https://orders.example', scopes: 'read' }, 'scopes: '],
    ];
    for (const [body, message] of cases) {
      const res = await call('/resources', { method: 'POST', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(String(res.body!.message)).toContain(message);
    }
    expect((await call('/resources', { method: 'POST', body: { id: `${server.url}/admin/api`, scopes: ['admin', 'more'] } })).status).toBe(409);
    expect((await call('/resources', { method: 'DELETE' })).status).toBe(400);
  });
});

describe('input the API refuses', () => {
  it('answers 400 with a message naming the field, never a 5xx', async () => {
    const documents = (await server.services.consentRegistry.listDocuments()).map((d) => d.id);
    expect(documents.length).toBeGreaterThan(0);
    const cases: [unknown, string][] = [
      [{ redirect_uris: [CALLBACK] }, 'client_id'],
      [{ client_id: 'has space', redirect_uris: [CALLBACK] }, 'client_id: letters, digits'],
      [{ client_id: 'x1', redirect_uris: ['javascript:alert(1)'] }, 'redirect_uris.0: needs an http(s) URL'],
      [{ client_id: 'x1', redirect_uris: ['https://x.example/cb#frag'] }, 'redirect_uris.0: must not carry a fragment'],
      [{ client_id: 'x1', redirect_uris: 'https://x.example/cb' }, 'redirect_uris: '],
      [{ client_id: 'x1' }, 'redirect_uris is required for clients that sign customers in'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], grant_types: ['implicit'] }, 'grant_types.0: is not one of authorization_code'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], colour: 'red' }, 'colour'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], public: 'yes' }, 'public: '],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], public: true, client_secret: 'x'.repeat(40) }, 'public and client_secret exclude each other'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], client_secret: 'short' }, 'client_secret: must be at least 32 characters'],
      [{ client_id: 'x1', public: true, grant_types: ['client_credentials'] }, 'a public client cannot use client_credentials'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], mfa: 'sometimes' }, 'mfa: is not one of off, optional, required'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], documents: [documents[0], 'nope'] }, 'documents: no document with id "nope"'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], connectors: ['nope'] }, 'connectors: "nope" is not a configured connector'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], profile_required: ['Bad-Key'] }, 'profile_required.0: field keys'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], profile_per_visit: 21 }, 'profile_per_visit: '],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], scope: 'openid "quoted"' }, 'scope: space-separated scope names'],
      [{ client_id: 'x1', redirect_uris: [CALLBACK], client_name: 'x'.repeat(5000) }, 'client_name: '],
      [[], 'expected object'],
    ];
    for (const [body, message] of cases) {
      const res = await call('/clients', { method: 'POST', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(String(res.body!.message), JSON.stringify(body)).toContain(message);
    }
    const nul = await call('/clients', { method: 'POST', body: '{"client_id":"x\\u0000","redirect_uris":[]}' });
    expect(nul.status).toBe(400);
    expect(nul.body).toMatchObject({ error: 'request.nul_character' });
    expect((await call('/clients', { method: 'POST', body: '{"client_id": ' })).body).toMatchObject({ error: 'request.invalid_json' });
    expect((await call('/clients', { method: 'POST', body: 'client_id=x', contentType: 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await call('/clients')).body!.clients).not.toEqual(expect.arrayContaining([expect.objectContaining({ client_id: 'x1' })]));
  });

  it('checks a change against the whole client, and a change needs a field', async () => {
    await call('/clients', { method: 'POST', body: { client_id: 'club', redirect_uris: [CALLBACK], connectors: [], profile_optional: ['nickname'] } });
    const cases: [unknown, string][] = [
      [{}, 'at least one field'],
      [{ redirect_uris: [] }, 'redirect_uris is required for clients that sign customers in'],
      [{ client_id: 'renamed' }, 'client_id'],
      [{ public: true }, 'public'],
      [{ backchannel_logout_uri: 'not a url' }, 'backchannel_logout_uri: needs an http(s) URL'],
    ];
    for (const [body, message] of cases) {
      const res = await call('/clients/club', { method: 'PATCH', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(String(res.body!.message), JSON.stringify(body)).toContain(message);
    }
    const changed = await call('/clients/club', { method: 'PATCH', body: { connectors: null, backchannel_logout_uri: 'http://127.0.0.1:9/logout', profile_per_visit: 2 } });
    expect(changed.body).toMatchObject({ client_id: 'club', redirect_uris: [CALLBACK], profile_optional: ['nickname'], profile_per_visit: 2 });
    expect(changed.body).not.toHaveProperty('connectors');
    expect((await server.host.current().Client.find('club'))?.backchannelLogoutUri).toBe('http://127.0.0.1:9/logout');
    const cleared = await call('/clients/club', { method: 'PATCH', body: { backchannel_logout_uri: null } });
    expect(cleared.status).toBe(200);
    expect((await server.host.current().Client.find('club'))?.backchannelLogoutUri).toBeUndefined();
  });

  it('answers 404 for clients that do not exist, whatever their id looks like', async () => {
    for (const path of ['/clients/nobody', '/clients/%00', '/clients/a%20b']) {
      const res = await call(path);
      expect(res.status, path).toBe(404);
      expect(res.body).toMatchObject({ error: 'client.not_found' });
    }
    expect((await call('/clients/nobody', { method: 'PATCH', body: { client_name: 'X' } })).status).toBe(404);
    expect((await call('/clients/nobody/rotate-secret', { method: 'POST' })).status).toBe(404);
  });
});

describe("Foyer's own client", () => {
  it('can be read, never changed, rotated or removed', async () => {
    expect((await call('/clients/foyer-account')).body).toMatchObject({ client_id: 'foyer-account', first_party: true });
    for (const [method, path, body] of [['PATCH', '/clients/foyer-account', { client_name: 'Mine' }], ['DELETE', '/clients/foyer-account', undefined], ['POST', '/clients/foyer-account/rotate-secret', undefined]] as const) {
      const res = await call(path, { method, body });
      expect(res.status, method).toBe(409);
      expect(res.body).toMatchObject({ error: 'client.protected', message: expect.stringContaining("Foyer's own client") });
    }
    expect((await call('/clients', { method: 'POST', body: { client_id: 'foyer-account', public: true, redirect_uris: [CALLBACK] } })).status).toBe(409);
    expect((await server.services.clients.showClient('foyer-account'))).toMatchObject({ client_name: expect.not.stringContaining('Mine') });
  });
});

describe('the OpenAPI document', () => {
  it('lists the client and resource endpoints with the schemas the API validates', async () => {
    const doc = await call('/openapi.json', { token: null });
    const paths = Object.keys(doc.body!.paths as object);
    expect(paths).toEqual(expect.arrayContaining(['/clients', '/clients/{clientId}', '/clients/{clientId}/rotate-secret', '/resources', '/webhooks']));
    const schemas = (doc.body!.components as { schemas: Record<string, { properties: Record<string, { items?: { enum?: string[] } }>; required?: string[] }> }).schemas;
    expect(schemas.ClientInput!.required).toEqual(['client_id']);
    expect(schemas.ClientInput!.properties.grant_types!.items!.enum).toContain('client_credentials');
    expect(Object.keys(schemas.ClientChange!.properties)).not.toContain('client_id');
    expect(schemas.ResourceInput!.required).toEqual(expect.arrayContaining(['id', 'scopes']));
  });
});
