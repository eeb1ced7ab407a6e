// /admin/api/connectors: the social-login connectors through the admin API. 401 without a token, 403
// insufficient_scope for admin:read on a change, 400 for bad bodies (nothing saved), secrets sealed and never
// echoed, every change audited; and a connector added through the API signs a customer in through a real
// second oidc-provider on loopback, in the same table the config file seeds.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCaller, adminResourceOf, createAdminApi, type AdminAnswer } from '../../support/admin-api.ts';
import { throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startAtUpstream, startUpstream, UPSTREAM_CLIENT, type Upstream } from '../federation/upstream.ts';

let upstream: Upstream;
let server: TestServer;
let app: RelyingParty;
let call: ReturnType<typeof adminCaller>;
let read: ReturnType<typeof adminCaller>;
const SEEDED_SECRET = 'seeded-secret-from-the-config-file';

beforeAll(async () => {
  upstream = await startUpstream({ carol: { email: 'carol@social.example', email_verified: true } });
  server = await startTestServer({
    outboundAllowPrivate: true,
    connectors: [{ id: 'seeded', kind: 'oauth2', clientId: 'x', clientSecret: SEEDED_SECRET, authorizationEndpoint: 'https://up.example/a', tokenEndpoint: 'https://up.example/t', userinfoEndpoint: 'https://up.example/u', enabled: true }],
  });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
  call = (await createAdminApi(server)).call;
  const reader = await createRelyingParty(server, { clientId: 'reader', name: 'Reports', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin:read' });
  const readToken = (await oidc.clientCredentialsGrant(reader.config, { scope: 'admin:read', resource: adminResourceOf(server) })).access_token;
  read = adminCaller(() => server.url, () => readToken);
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

const social = () => ({ id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: 'a-wrong-secret-to-rotate-away' });
const noSecretIn = (answer: AdminAnswer, ...secrets: string[]) => {
  for (const secret of secrets) expect(JSON.stringify(answer.body)).not.toContain(secret);
};

describe('access', () => {
  it('answers 401 without a token and 403 insufficient_scope to admin:read on a change, which it may read', async () => {
    expect((await call('/connectors', { token: null })).status).toBe(401);
    const listed = await read('/connectors');
    expect(listed.status).toBe(200);
    expect(listed.body!.connectors).toEqual([expect.objectContaining({ id: 'seeded', kind: 'oauth2', has_client_secret: true, usable: true })]);
    noSecretIn(listed, SEEDED_SECRET);
    for (const [path, method, body] of [['/connectors', 'POST', social()], ['/connectors/seeded', 'PATCH', { name: 'X' }], ['/connectors/seeded/disable', 'POST', undefined], ['/connectors/seeded/rotate-secret', 'POST', { clientSecret: 'zzz' }]] as const) {
      const refused = await read(path, { method, body: body ?? {} });
      expect(refused.status, path).toBe(403);
      expect(refused.body).toMatchObject({ error: 'insufficient_scope' });
    }
    expect((await call('/connectors/seeded')).body).toMatchObject({ name: 'OAuth', enabled: true });
  });
});

describe('validation', () => {
  it('answers 400 naming the field, and saves nothing', async () => {
    const cases: [string, string, unknown, string][] = [
      ['/connectors', 'POST', { ...social(), issuer: undefined }, 'issuer: is required for kind oidc'],
      ['/connectors', 'POST', { ...social(), id: 'Bad Id' }, 'id: must be lower-case'],
      ['/connectors', 'POST', { ...social(), id: 'link' }, 'reserved'],
      ['/connectors', 'POST', { ...social(), kind: 'myspace' }, 'kind'],
      ['/connectors', 'POST', { ...social(), issuer: 'not a url' }, 'issuer'],
      ['/connectors/seeded', 'PATCH', {}, 'Send at least one field to change.'],
      ['/connectors/seeded', 'PATCH', { clientSecret: 'sneaky' }, 'clientSecret'],
      ['/connectors/seeded', 'PATCH', { tokenEndpoint: 'nope' }, 'tokenEndpoint'],
      ['/connectors/seeded/rotate-secret', 'POST', {}, 'Send clientSecret or privateKey.'],
    ];
    for (const [path, method, body, message] of cases) {
      const answer = await call(path, { method, body });
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(JSON.stringify(answer.body)).toContain(message);
    }
    expect((await call('/connectors', { method: 'POST', body: '{"id":"social","kind":"oidc","clientId":"a\\u0000b","issuer":"https://x.example"}' })).status).toBeLessThan(500);
    expect((await call('/connectors/nope', { method: 'PATCH', body: { name: 'X' } })).status).toBe(404);
    expect((await call('/connectors')).body!.connectors).toHaveLength(1);
    expect((await call('/connectors/seeded')).body).toMatchObject({ tokenEndpoint: 'https://up.example/t', name: 'OAuth' });
  });
});

describe('a connector made through the API', () => {
  it('is sealed, never echoed, audited, and signs a customer in through the upstream once its secret is rotated in', async () => {
    const created = await call('/connectors', { method: 'POST', body: social() });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/admin/api/connectors/social');
    expect(created.body).toMatchObject({ id: 'social', kind: 'oidc', issuer: upstream.issuer, has_client_secret: true, enabled: true });
    noSecretIn(created, 'a-wrong-secret-to-rotate-away');
    expect((await call('/connectors', { method: 'POST', body: social() })).status).toBe(409);
    const [row] = await server.dbHandle.db('connectors').where({ id: 'social' });
    expect(row.secrets_encrypted).toBeTruthy();
    expect(JSON.stringify(row)).not.toContain('a-wrong-secret-to-rotate-away');

    const rotated = await call('/connectors/social/rotate-secret', { method: 'POST', body: { clientSecret: UPSTREAM_CLIENT.secret } });
    expect(rotated.status).toBe(200);
    noSecretIn(rotated, UPSTREAM_CLIENT.secret);
    noSecretIn(await call('/connectors/social'), UPSTREAM_CLIENT.secret);
    expect((await call('/connectors/social', { method: 'PATCH', body: { name: 'Social Club' } })).body).toMatchObject({ name: 'Social Club', issuer: upstream.issuer });

    // The journey reads the same table (a change forgets this instance's cache at once): the button shows, the sign-in works.
    const { browser, auth, back } = await startAtUpstream(app, 'carol');
    const callback = await throughPrompts(browser, back.url.includes('/federation/import') ? await browser.submit(back, '/federation/import', {}) : back);
    expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 400)).toBe(true);
    const claims = (await app.exchange(callback.url, auth)).claims()!;
    expect(await server.dbHandle.db('federated_identities').where({ connector: 'social', subject: 'carol', account_id: claims.sub })).toHaveLength(1);

    const disabled = await call('/connectors/social/disable', { method: 'POST' });
    expect(disabled.body).toMatchObject({ enabled: false });
    const events = await server.dbHandle.db('events').where({ type: 'admin.changed' }).orderBy('created_at');
    const routes = events.map((e: { data: { route: string } }) => (typeof e.data === 'string' ? JSON.parse(e.data) : e.data).route);
    expect(routes).toEqual(expect.arrayContaining(['/admin/api/connectors', '/admin/api/connectors/:id/rotate-secret', '/admin/api/connectors/:id', '/admin/api/connectors/:id/disable']));
    expect(JSON.stringify(events)).not.toContain(UPSTREAM_CLIENT.secret);
    expect((await call('/connectors/social/enable', { method: 'POST' })).body).toMatchObject({ enabled: true });
  }, 60_000);
});

describe('changes sent at once', () => {
  it('create one connector per id, and lose neither a settings change nor a rotated secret', async () => {
    const body = { id: 'burst', kind: 'oauth2', clientId: 'b', clientSecret: 'burst-secret-0', authorizationEndpoint: 'https://b.example/a', tokenEndpoint: 'https://b.example/t', userinfoEndpoint: 'https://b.example/u' };
    const creates = await Promise.all(Array.from({ length: 8 }, () => call('/connectors', { method: 'POST', body })));
    expect(creates.map((a) => a.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const secrets = Array.from({ length: 6 }, (_, i) => `burst-secret-${i + 1}`);
    const answers = await Promise.all([
      ...secrets.map((clientSecret) => call('/connectors/burst/rotate-secret', { method: 'POST', body: { clientSecret } })),
      call('/connectors/burst', { method: 'PATCH', body: { scopes: ['read', 'email'] } }),
      call('/connectors/burst', { method: 'PATCH', body: { name: 'Burst' } }),
    ]);
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    const stored = (await server.services.connectorStore.listConnectors()).find((c) => c.id === 'burst');
    expect(stored).toMatchObject({ name: 'Burst', scopes: ['read', 'email'] });
    expect(secrets).toContain(stored!.clientSecret);
    expect((await call('/connectors/burst')).body).toMatchObject({ usable: true, has_client_secret: true });
  });
});

describe('the OpenAPI document', () => {
  it('describes the connector endpoints with the schemas the API validates', async () => {
    const doc = await call('/openapi.json', { token: null });
    const paths = doc.body!.paths as Record<string, unknown>;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/connectors', '/connectors/{id}', '/connectors/{id}/enable', '/connectors/{id}/disable', '/connectors/{id}/rotate-secret']));
    const schemas = (doc.body!.components as { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> }).schemas;
    expect(schemas.ConnectorInput!.required).toEqual(expect.arrayContaining(['id', 'kind', 'clientId']));
    expect(Object.keys(schemas.Connector!.properties)).not.toContain('clientSecret');
    expect(Object.keys(schemas.ConnectorSecret!.properties)).toEqual(['clientSecret', 'privateKey']);
  });
});
