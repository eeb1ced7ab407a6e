// The admin API (/admin/api) through the real HTTP surface: a client-credentials JWT for the admin resource
// with the `admin` scope, obtained with openid-client, manages webhooks; everything else is refused with a
// JSON message; the OpenAPI document describes what the API validates.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminResourceOf, adminToken as tokenOf, createAdminApi } from '../../support/admin-api.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
const ADMIN_RESOURCE = () => adminResourceOf(server);
const adminToken = (rp: RelyingParty) => tokenOf(server, rp);

beforeAll(async () => {
  server = await startTestServer({
    profile: { fields: [{ key: 'given_name', label: { en: 'First name' }, purpose: 'marketing' }] },
  } as never);
  ({ call } = await createAdminApi(server));
});
afterAll(async () => server?.stop());

describe('admin API authentication', () => {
  it('refuses a request without a token, or with one for another API, with a JSON message and WWW-Authenticate', async () => {
    const none = await call('/webhooks', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('scope="admin"');
    expect(none.body).toMatchObject({ error: 'invalid_token', message: expect.stringContaining('admin scope') });
    const crm = await createRelyingParty(server, { clientId: 'crm', name: 'CRM', grantTypes: ['client_credentials'], redirectUris: [], scope: 'capture' });
    const captureToken = (await oidc.clientCredentialsGrant(crm.config, { scope: 'capture', resource: `${server.url}/api/capture` })).access_token;
    expect((await call('/webhooks', { token: captureToken })).status).toBe(401);
    expect((await call('/webhooks', { token: 'not-a-token' })).status).toBe(401);
  });

  it('gives no admin token to a client not registered with the admin scope', async () => {
    const plain = await createRelyingParty(server, { clientId: 'reports', name: 'Reports', grantTypes: ['client_credentials'], redirectUris: [], scope: 'capture' });
    await expect(adminToken(plain)).rejects.toMatchObject({ error: 'invalid_target' });
  });

  it('answers a valid token without the admin scope 403 insufficient_scope with a challenge, and no or a bad token 401', async () => {
    const ops = await createRelyingParty(server, { clientId: 'narrowed-ops', name: 'Ops', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin capture' });
    const token = await adminToken(ops);
    expect((await call('/webhooks', { token })).status).toBe(200);
    // A token for the admin API asked for without the admin scope: signed, for this audience, unexpired, and not enough.
    const unscoped = (await oidc.clientCredentialsGrant(ops.config, { resource: ADMIN_RESOURCE() })).access_token;
    const refused = await call('/webhooks', { token: unscoped });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="admin"');
    expect(refused.body).toMatchObject({ error: 'insufficient_scope' });
    // The registration loses the admin scope: the token is still valid (signature, audience, expiry) but no longer enough.
    await server.services.clients.updateClient('narrowed-ops', { scope: 'capture' });
    const narrowed = await call('/webhooks', { token });
    expect(narrowed.status).toBe(403);
    expect(narrowed.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="admin"');
    expect(narrowed.body).toMatchObject({ error: 'insufficient_scope' });
    const bad = await call('/webhooks', { token: `${token.slice(0, -4)}AAAA` });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toBe('Bearer error="invalid_token", scope="admin"');
    const none = await call('/webhooks', { token: null });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer scope="admin"');
  });

  it('stops honouring tokens of a client that was removed (they are revoked with it: 401)', async () => {
    const temp = await createRelyingParty(server, { clientId: 'temp-admin', name: 'Temp', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin' });
    const tempToken = await adminToken(temp);
    expect((await call('/webhooks', { token: tempToken })).status).toBe(200);
    await server.services.clients.removeClient('temp-admin');
    const after = await call('/webhooks', { token: tempToken });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ error: 'invalid_token' });
  });

  it('documents 401, 403 (insufficient_scope) and 503 in its OpenAPI document, with their headers', async () => {
    const doc = await (await fetch(`${server.url}/admin/api/openapi.json`)).json() as { paths: Record<string, Record<string, { responses: Record<string, { description: string; headers?: Record<string, unknown> }> }>> };
    const responses = doc.paths['/webhooks']!.get!.responses;
    expect(responses['401']!.description).toContain('invalid_token');
    expect(responses['403']!.description).toContain('insufficient_scope');
    expect(responses['403']!.headers).toHaveProperty('WWW-Authenticate');
    expect(responses['503']!.headers).toHaveProperty('Retry-After');
  });
});

describe('managing webhooks', () => {
  let id: string;

  it('registers one and shows its secret only in that answer', async () => {
    const created = await call('/webhooks', { method: 'POST', body: { name: 'CRM', url: 'https://crm.example/hooks', events: ['profile.*'], fields: ['email', 'given_name'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'CRM', url: 'https://crm.example/hooks', events: ['profile.*'], fields: ['email', 'given_name'], enabled: true, secret: expect.stringMatching(/^whsec_/) });
    id = String(created.body!.id);
    expect(created.headers.get('location')).toBe(`/admin/api/webhooks/${id}`);
    const listed = await call('/webhooks');
    expect(listed.body!.webhooks).toEqual([expect.objectContaining({ id, name: 'CRM' })]);
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    const shown = await call(`/webhooks/${id}`);
    expect(shown.body).toMatchObject({ id, deliveries: [] });
    expect(shown.body).not.toHaveProperty('secret');
  });

  it('refuses bad input with a message naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ url: 'https://crm.example/h' }, 'name'],
      [{ name: 'X', url: 'javascript:alert(1)' }, 'url: needs an http(s) URL'],
      [{ name: 'X', url: 'https://crm.example/h', fields: ['shoe_size'] }, 'No such profile field: shoe_size'],
      [{ name: 'X', url: 'https://crm.example/h', events: ['*', 'Not A Type'] }, 'events.1: event patterns look like'],
      [{ name: 'X', url: 'https://crm.example/h', colour: 'red' }, 'colour'],
    ];
    for (const [body, message] of cases) {
      const res = await call('/webhooks', { method: 'POST', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(String(res.body!.message), JSON.stringify(body)).toContain(message);
    }
    expect((await call('/webhooks', { method: 'POST', body: '{"name": ', contentType: 'application/json' })).body).toMatchObject({ error: 'request.invalid_json' });
    expect((await call('/webhooks', { method: 'POST', body: 'name=x', contentType: 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect((await call(`/webhooks/${id}`, { method: 'PATCH', body: {} })).body!.message).toContain('at least one field');
  });

  it('records every change in the audit log, with the client, the route and the ids, and no secret', async () => {
    const audit = async () => (await server.dbHandle.db('events').where({ type: 'admin.changed' }).orderBy('created_at')) as { client_id: string; data: Record<string, string> }[];
    const before = (await audit()).length;
    await call(`/webhooks/${id}/rotate-secret`, { method: 'POST' });
    await call('/webhooks', { method: 'POST', body: { url: 'https://crm.example/h' } }); // refused: not recorded
    const rows = await audit();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ client_id: 'ops', data: { method: 'POST', route: '/admin/api/webhooks/:id/rotate-secret', id } });
    expect(JSON.stringify(rows)).not.toContain('whsec_');
  });

  it('changes only what is sent, rotates the secret, and removes it', async () => {
    const changed = await call(`/webhooks/${id}`, { method: 'PATCH', body: { enabled: false } });
    expect(changed.body).toMatchObject({ enabled: false, events: ['profile.*'], fields: ['email', 'given_name'] });
    const rotated = await call(`/webhooks/${id}/rotate-secret`, { method: 'POST' });
    expect(rotated.body!.secret).toMatch(/^whsec_/);
    expect((await call(`/webhooks/${id}/deliveries/whd_none/redeliver`, { method: 'POST' })).status).toBe(404);
    expect((await call(`/webhooks/${id}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await call(`/webhooks/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toMatchObject({ error: 'webhook.not_found' });
    expect((await call('/nothing-here')).body).toMatchObject({ error: 'not_found' });
  });
});

describe('the OpenAPI document', () => {
  it('describes the webhook endpoints with the body schema the API validates', async () => {
    const doc = await call('/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({ openapi: '3.1.0', servers: [{ url: ADMIN_RESOURCE() }] });
    const paths = doc.body!.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/webhooks', '/webhooks/{id}', '/webhooks/{id}/rotate-secret']));
    const input = (doc.body!.components as { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> }).schemas.WebhookInput!;
    expect(Object.keys(input.properties)).toEqual(expect.arrayContaining(['name', 'url', 'events', 'fields', 'enabled']));
    expect(input.required).toEqual(expect.arrayContaining(['name', 'url']));
  });
});
