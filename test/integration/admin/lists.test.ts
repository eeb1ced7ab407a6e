// Every list of the admin API pages with limit and cursor (the one keyset cursor of src/paging/) and takes its
// filters; every error under /admin/api is RFC 9457 problem+json — bad parameters, bad JSON, a wrong content
// type, a body too large, an unknown route, a wrong method, an unexpected failure (500, logged) — and the OpenAPI
// document says so for each operation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { createRelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
/** What the server logged (warnings and errors), one object per line. */
const logged: Record<string, unknown>[] = [];

const purpose = (legalBasis: string) => ({ legalBasis, texts: { en: { name: `A ${legalBasis} purpose`, description: 'For a test.' } }, dataCategories: ['contact'] });

beforeAll(async () => {
  server = await startTestServer({
    preferences: { channels: ['email', 'sms'] },
    profile: { fields: ['given_name', 'family_name', 'nickname', 'birthdate'].map((key, i) => ({ key, label: { en: key }, purpose: 'account', ...(i === 3 ? { enabled: false } : {}) })) },
  } as never, { log: createLogger('warn', { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) }) });
  ({ call } = await createAdminApi(server));
  for (const id of ['shop', 'forum', 'blog']) await createRelyingParty(server, { clientId: id, name: `The ${id}`, scope: 'openid email' });
  for (const [i, basis] of ['consent', 'contract', 'consent'].entries()) expect((await call(`/purposes/p${i}`, { method: 'PUT', body: purpose(basis) })).status).toBe(201);
  for (const [i, channels] of [['email'], ['sms'], ['email', 'sms']].entries()) {
    expect((await call(`/topics/t${i}`, { method: 'PUT', body: { texts: { en: { name: `Topic ${i}`, description: 'News.' } }, channels } })).status).toBe(201);
  }
  for (const i of [1, 2, 3]) expect((await call('/resources', { method: 'POST', body: { id: `https://api${i}.example/`, scopes: [`read${i}`] } })).status).toBe(201);
  for (const i of [1, 2, 3]) expect((await call('/webhooks', { method: 'POST', body: { name: `Hook ${i}`, url: `https://hooks${i}.example/in`, events: i === 2 ? ['profile.*'] : ['account.*'] } })).status).toBe(201);
  expect((await call('/webhooks?q=hook%202')).body).toMatchObject({ webhooks: [expect.objectContaining({ name: 'Hook 2' })] });
  for (const [id, kind] of [['gh', 'github'], ['gh2', 'github'], ['goog', 'google']]) {
    expect((await call('/connectors', { method: 'POST', body: { id, kind, clientId: `${id}-client`, clientSecret: 'an upstream secret' } })).status).toBe(201);
  }
  expect((await call('/connectors/gh2/disable', { method: 'POST' })).status).toBe(200);
  const colours = { accent: '#0b6e4f', text: '#111111', background: '#ffffff' };
  for (const [id, name] of [['acme', 'Acme'], ['beta', 'Beta']]) expect((await call(`/brands/${id}`, { method: 'PUT', body: { name, colours } })).status).toBe(201);
  expect((await call('/brands/beta/clients/shop', { method: 'PUT' })).status).toBe(200);
  // Two new keys sign from now on; the two before them stay published (retiring).
  expect((await call('/keys/rotate', { method: 'POST' })).status).toBe(200);
});
afterAll(async () => server?.stop());

type Listed = Record<string, unknown> & { next_cursor: string | null };

/** Every item of a list, a page of `limit` at a time, and the number of pages. */
async function walk(path: string, member: string, limit: number): Promise<{ items: unknown[]; pages: number }> {
  const items: unknown[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await call(`${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const body = res.body as Listed;
    const page = body[member] as unknown[];
    expect(page.length).toBeLessThanOrEqual(limit);
    items.push(...page);
    cursor = body.next_cursor;
    pages++;
  } while (cursor && pages < 100);
  return { items, pages };
}

const LISTS: [path: string, member: string][] = [
  ['/clients', 'clients'], ['/resources', 'resources'], ['/profile-fields', 'fields'], ['/purposes', 'purposes'], ['/topics', 'topics'],
  ['/documents', 'documents'], ['/webhooks', 'webhooks'], ['/imports', 'imports'], ['/customers', 'customers'], ['/audit', 'events'], ['/consent-records', 'records'],
  ['/connectors', 'connectors'], ['/brands', 'brands'], ['/keys', 'keys'],
];

describe('paging every list', () => {
  it('walks each list with limit and cursor: every item once, in the order of the whole list, next_cursor null on the last page', async () => {
    for (const [path, member] of LISTS) {
      const whole = await call(`${path}?limit=200`);
      expect(whole.status, path).toBe(200);
      const all = (whole.body as Listed)[member] as unknown[];
      expect((whole.body as Listed).next_cursor, path).toBeNull();
      const walked = await walk(path, member, 2);
      expect(walked.items, path).toEqual(all);
      expect(walked.pages, path).toBe(Math.max(1, Math.ceil(all.length / 2)));
    }
  });

  it('keeps its place when an item before the cursor is removed meanwhile (a keyset, not an offset)', async () => {
    const first = (await call('/webhooks?limit=2')).body as { webhooks: { id: string }[]; next_cursor: string };
    expect(first.webhooks).toHaveLength(2);
    const rest = async () => ((await call(`/webhooks?limit=2&cursor=${encodeURIComponent(first.next_cursor)}`)).body as { webhooks: { name: string }[] }).webhooks.map((w) => w.name);
    const before = await rest();
    expect((await call(`/webhooks/${first.webhooks[0]!.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await rest()).toEqual(before);
  });

  it('filters each list', async () => {
    const ids = async (path: string, member: string, key = 'id') => ((await call(path)).body![member] as Record<string, unknown>[]).map((i) => i[key]);
    expect(await ids('/clients?q=THE%20SH', 'clients', 'client_id')).toEqual(['shop']);
    expect(await ids('/clients?grant_type=client_credentials&first_party=false', 'clients', 'client_id')).toEqual(['ops']);
    expect(await ids('/resources?q=api2', 'resources')).toEqual(['https://api2.example/']);
    expect(await ids('/resources?scope=read3', 'resources')).toEqual(['https://api3.example/']);
    expect(await ids('/profile-fields?enabled=false', 'fields', 'key')).toEqual(['birthdate']);
    expect(await ids('/profile-fields?q=name&enabled=true', 'fields', 'key')).toEqual(['given_name', 'family_name', 'nickname']);
    expect(await ids('/purposes?legal_basis=contract&q=p', 'purposes')).toEqual(['p1']);
    expect(await ids('/purposes?needs_consent=true&q=p', 'purposes')).toEqual(['p0', 'p2']);
    expect(await ids('/topics?channel=sms&q=t', 'topics')).toEqual(['t1', 't2']);
    expect(await ids('/webhooks?event=profile.*', 'webhooks', 'name')).toEqual(['Hook 2']);
    expect(await ids('/webhooks?enabled=false', 'webhooks', 'name')).toEqual([]);
    expect(await ids('/imports?status=running', 'imports')).toEqual([]);
    expect(await ids('/documents?required=true&q=nothing-like-this', 'documents')).toEqual([]);
    expect(await ids('/connectors?q=GH', 'connectors')).toEqual(['gh', 'gh2']);
    expect(await ids('/connectors?kind=google', 'connectors')).toEqual(['goog']);
    expect(await ids('/connectors?enabled=false', 'connectors')).toEqual(['gh2']);
    expect(await ids('/brands?q=acm', 'brands')).toEqual(['acme']);
    expect(await ids('/brands?client=shop', 'brands')).toEqual(['beta']);
    // Keys come newest first: the two that sign now, then the two retiring.
    expect(await ids('/keys', 'keys', 'status')).toEqual(['active', 'active', 'retiring', 'retiring']);
    expect(await ids('/keys?status=active&alg=ES256', 'keys', 'alg')).toEqual(['ES256']);
    expect(await ids('/keys?status=retiring', 'keys', 'status')).toEqual(['retiring', 'retiring']);
  });

  it('refuses a bad limit, a made-up cursor or a bad filter with a problem naming the parameter', async () => {
    for (const [path] of LISTS) {
      for (const [query, name] of [['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=ten', 'limit'], ['cursor=not-a-cursor', 'cursor']] as const) {
        const res = await call(`${path}?${query}`);
        expect(res.status, `${path}?${query}`).toBe(400);
        expect(res.headers.get('content-type'), path).toContain('application/problem+json');
        expect(res.body, `${path}?${query}`).toMatchObject({ status: 400, error: expect.stringMatching(/invalid/), detail: expect.stringContaining(name) });
      }
    }
    // A cursor of one list is not a cursor of another.
    const audit = (await call('/audit?limit=1')).body as Listed;
    expect((await call(`/customers?cursor=${audit.next_cursor}`)).status).toBe(400);
    for (const query of ['/clients?first_party=maybe', '/purposes?legal_basis=whim', '/topics?channel=pigeon', '/imports?status=sleeping', '/profile-fields?enabled=1',
      '/connectors?kind=myspace', '/connectors?enabled=maybe', '/keys?status=old', '/keys?alg=HS256']) {
      const res = await call(query);
      expect(res.status, query).toBe(400);
      expect(res.body!.detail, query).toMatch(/^\w+: /);
    }
  });
});

describe('problem details for every error', () => {
  const isProblem = (res: { status: number; headers: Headers; body: Record<string, unknown> | undefined }, status: number, error: string | RegExp) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:foyer:error:/), title: expect.any(String), status, detail: expect.any(String), error, message: expect.any(String), instance: expect.stringMatching(/^\/admin\/api/) });
  };

  it('answers validation errors, bad JSON, a wrong content type and a body too large as problems', async () => {
    isProblem(await call('/webhooks', { method: 'POST', body: { name: 'X', url: 'javascript:alert(1)' } }), 400, 'request.invalid');
    isProblem(await call('/webhooks', { method: 'POST', body: '{"name": ', contentType: 'application/json' }), 400, 'request.invalid_json');
    isProblem(await call('/webhooks', { method: 'POST', body: 'name=x', contentType: 'application/x-www-form-urlencoded' }), 415, 'request.unsupported_type');
    isProblem(await call('/webhooks', { method: 'POST', body: { name: 'x'.repeat(70_000), url: 'https://a.example/' } }), 413, 'request.too_large');
    isProblem(await call('/webhooks', { method: 'POST', body: '{"name": "a\\u0000b"}', contentType: 'application/json' }), 400, 'request.nul_character');
  });

  it('answers 401, 403, 404, 405 and 409 as problems', async () => {
    isProblem(await call('/clients', { token: null }), 401, 'invalid_token');
    isProblem(await call('/no-such-thing'), 404, 'not_found');
    isProblem(await call('/no-such-thing', { token: null }), 404, 'not_found');
    isProblem(await call('/clients/nobody'), 404, 'client.not_found');
    const wrongMethod = await call('/topics', { method: 'DELETE' });
    isProblem(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toContain('GET');
    isProblem(await call('/clients', { method: 'POST', body: { client_id: 'shop', redirect_uris: ['https://shop.example/cb'] } }), 409, 'client.exists');
    const reader = await createRelyingParty(server, { clientId: 'narrow', name: 'Narrow', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin:read' });
    const { clientCredentialsGrant } = await import('openid-client');
    const token = (await clientCredentialsGrant(reader.config, { scope: 'admin:read', resource: `${server.url}/admin/api` })).access_token;
    isProblem(await call('/webhooks', { method: 'POST', body: { name: 'X', url: 'https://x.example/' }, token }), 403, 'insufficient_scope');
  });

  it('answers an unexpected failure as a 500 problem without its internals, and logs it with its stack', async () => {
    // A genuine failure no code expects: the database refuses the query because the webhooks table is gone.
    const { db } = server.services;
    await db.raw('ALTER TABLE webhooks RENAME TO webhooks_gone');
    let res: Awaited<ReturnType<typeof call>>;
    try {
      res = await call('/webhooks');
    } finally {
      await db.raw('ALTER TABLE webhooks_gone RENAME TO webhooks');
    }
    isProblem(res, 500, 'server.error');
    expect(Object.keys(res.body!).sort()).toEqual(['detail', 'error', 'instance', 'message', 'request_id', 'status', 'title', 'type']);
    expect(res.body!.title).toBe('Internal Server Error');
    expect(JSON.stringify(res.body)).not.toMatch(/webhooks_gone|relation|select|\.ts|at /i);
    const entry = logged.find((line) => line.msg === 'admin API request failed' && line.requestId === res.body!.request_id);
    expect(entry, JSON.stringify(logged)).toMatchObject({ level: 50, path: '/admin/api/webhooks', err: { stack: expect.stringContaining('webhooks') } });
    // The table back, the list answers again.
    expect((await call('/webhooks')).status).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  it('gives every list limit and cursor and a next_cursor, and every operation its problems', async () => {
    const doc = (await call('/openapi.json', { token: null })).body as {
      paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: unknown; responses: Record<string, { content?: Record<string, unknown>; description: string }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.components.schemas).toHaveProperty('Problem');
    for (const [path, member] of LISTS) {
      const get = doc.paths[path]!.get!;
      expect(get.parameters?.map((p) => p.name), path).toEqual(expect.arrayContaining(['limit', 'cursor']));
      const schema = (get.responses['200']!.content!['application/json'] as { schema: { properties: Record<string, unknown> } }).schema;
      expect(Object.keys(schema.properties), path).toEqual(expect.arrayContaining([member, 'next_cursor']));
    }
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (method === 'parameters') continue;
        for (const status of ['400', '401', '403', '500', '503', ...(operation.requestBody ? ['413', '415'] : [])]) {
          expect(operation.responses[status]?.content, `${method} ${path} ${status}`).toHaveProperty(['application/problem+json']);
        }
      }
    }
  });
});
