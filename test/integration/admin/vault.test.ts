// The DPO's consent vault through /admin/api: search by customer, document (and version), action and time
// with keyset paging; counts per day; a customer's proof whose receipts verify against the published
// receipt keys; an export of 10,000 records streamed in batches (never the whole set in one query); and
// every read audited with who looked at whom.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCaller, adminResourceOf, createAdminApi } from '../../support/admin-api.ts';
import { consentIfAsked, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { runCommand } from '../../../src/cli/commands.ts';
import { enterEmailAndPassword, throughPrompts } from '../../support/journey.ts';
import * as oidc from 'openid-client';

let server: TestServer;
let app: RelyingParty;
let call: ReturnType<typeof adminCaller>;
const password = 'a long and unusual passphrase';
const ids: Record<string, string> = {};
const SEEDED = 10_000;

async function customer(email: string): Promise<string> {
  const browser = newBrowser();
  const callback = await consentIfAsked(browser, await signUp(server, browser, await browser.get((await app.authorizationUrl()).url), email, password));
  expect(callback.url.startsWith(CALLBACK)).toBe(true);
  return (await server.services.accounts.findAccountByEmail(email))!.id;
}

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false } } as never);
  app = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email profile' });
  ids.ann = await customer('ann@example.com');
  ids.bob = await customer('bob@example.com');
  ({ call } = await createAdminApi(server));
});
afterAll(async () => server?.stop());

type Page = { records: { id: string; customer: string; kind: string; subject: string; action: string }[]; next_cursor: string | null };

describe('the consent vault', () => {
  it('finds one customer\'s records by email or by sub, and nothing for an unknown customer', async () => {
    const byEmail = (await call('/consent-records?customer=ann@example.com')).body as Page;
    expect(byEmail.records.length).toBeGreaterThanOrEqual(2);
    expect(new Set(byEmail.records.map((r) => r.customer))).toEqual(new Set([ids.ann]));
    expect(byEmail.records.map((r) => r.kind)).toEqual(expect.arrayContaining(['document', 'client_scopes']));
    const bySub = (await call(`/consent-records?customer=${ids.ann}`)).body as Page;
    expect(bySub.records.map((r) => r.id)).toEqual(byEmail.records.map((r) => r.id));
    const unknown = await call('/consent-records?customer=nobody@example.com');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ records: [], next_cursor: null });
  });

  it('filters by document and version, by app and by action', async () => {
    const terms = (await call('/consent-records?document=terms')).body as Page;
    expect(terms.records).toHaveLength(2);
    expect(terms.records.every((r) => r.subject === 'terms@1' && r.kind === 'document')).toBe(true);
    expect(((await call('/consent-records?document=terms&version=1')).body as Page).records).toHaveLength(2);
    expect(((await call('/consent-records?document=terms&version=9')).body as Page).records).toHaveLength(0);
    const shop = (await call('/consent-records?client=shop&action=grant')).body as Page;
    expect(shop.records.map((r) => r.customer).sort()).toEqual([ids.ann, ids.bob].sort());
    expect(((await call('/consent-records?client=shop&action=withdraw')).body as Page).records).toHaveLength(0);
    expect(((await call('/consent-records?to=2000-01-01')).body as Page).records).toHaveLength(0);
  });

  it('pages through records written in one transaction (the same time to the microsecond) without skipping any', async () => {
    // Five records sharing one created_at, as a transaction writes them: a millisecond cursor would skip some.
    await server.services.db.raw(`INSERT INTO consent_records (id, account_id, subject_kind, subject_ref, action, details, legal_basis, channel, created_at)
      SELECT 'rcpt_same_' || n, ?, 'purpose', 'same-time', 'grant', '{}', 'consent', 'seed', '2026-10-01 12:00:00.123456+00' FROM generate_series(1, 5) AS n`, [ids.bob!]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await call(`/consent-records?purpose=same-time&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body as Page;
      seen.push(...page.records.map((r) => r.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5].map((n) => `rcpt_same_${n}`));
  });

  it('answers a bad question with a 400 naming the parameter', async () => {
    for (const [query, field] of [['action=maybe', 'action'], ['from=yesterday', 'from'], ['limit=0', 'limit'], ['version=2', 'version'], ['cursor=xyz', 'cursor'], ['purpose=a&document=b', 'purpose']]) {
      const answer = await call(`/consent-records?${query}`);
      expect(answer.status, query).toBe(400);
      expect(String(answer.body?.error_description ?? answer.body?.message ?? JSON.stringify(answer.body)), query).toContain(field);
    }
  });

  it('a customer\'s proof carries every record with a receipt that verifies against the receipt keys', async () => {
    const answer = await call('/consent-proof?customer=bob@example.com');
    expect(answer.status).toBe(200);
    const proof = answer.body as { customer: string; receipts_jwks_uri: string; records: { id: string; receipt: string }[] };
    expect(proof.customer).toBe(ids.bob);
    expect(proof.records.length).toBeGreaterThanOrEqual(2);
    const jwks = createLocalJWKSet(await (await fetch(proof.receipts_jwks_uri)).json() as JSONWebKeySet);
    for (const record of proof.records) {
      const { payload } = await jwtVerify(record.receipt, jwks, { issuer: server.url, subject: ids.bob });
      expect(payload.consentReceiptID).toBe(record.id);
    }
    expect((await call('/consent-proof?customer=nobody@example.com')).status).toBe(404);
    expect((await call('/consent-proof')).status).toBe(400);
  });

  it('pages through 10,000 records with a cursor, counts them per day, and exports them streamed in batches', async () => {
    const rows = Array.from({ length: SEEDED }, (_, i) => ({
      id: `rcpt_seed_${String(i).padStart(5, '0')}`, account_id: ids.ann, subject_kind: 'purpose', subject_ref: 'newsletter',
      action: i % 5 === 0 ? 'withdraw' : 'grant', details: '{}', legal_basis: 'consent', channel: 'seed',
      created_at: new Date(Date.UTC(2026, 10, 1 + (i % 3), 12, 0, 0)),
    }));
    for (let i = 0; i < rows.length; i += 1000) await server.services.db('consent_records').insert(rows.slice(i, i + 1000));

    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = (await call(`/consent-records?purpose=newsletter&limit=200${cursor ? `&cursor=${cursor}` : ''}`)).body as Page;
      for (const r of page.records) seen.add(r.id);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor);
    expect(seen.size).toBe(SEEDED);
    expect(pages).toBe(SEEDED / 200);

    const stats = (await call('/consent-records/stats?purpose=newsletter&from=2026-11-01&to=2026-11-04')).body as { counts: { day: string; action: string; count: number }[] };
    const total = stats.counts.reduce((n, c) => n + c.count, 0);
    expect(total).toBe(SEEDED);
    expect(stats.counts.find((c) => c.day === '2026-11-01' && c.action === 'withdraw')?.count).toBeGreaterThan(0);

    // The export reads the ledger a batch at a time: no query for the whole set.
    const limits: number[] = [];
    const onQuery = (q: { sql: string; bindings?: unknown[] }) => {
      if (/from "consent_records"/i.test(q.sql) && /limit (\?|\$\d+)/i.test(q.sql)) limits.push(Number(q.bindings?.at(-1)));
    };
    server.services.db.on('query', onQuery);
    const token = (await oidc.clientCredentialsGrant((await createRelyingParty(server, { clientId: 'ops-export', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin' })).config, { scope: 'admin', resource: adminResourceOf(server) })).access_token;
    const res = await fetch(`${server.url}/admin/api/consent-records/export?purpose=newsletter&format=jsonl`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-total-count')).toBe(String(SEEDED));
    const lines = (await res.text()).trimEnd().split('\n');
    server.services.db.off('query', onQuery);
    expect(lines).toHaveLength(SEEDED);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)).size).toBe(SEEDED);
    expect(limits.length).toBeGreaterThanOrEqual(SEEDED / 500);
    expect(Math.max(...limits)).toBeLessThanOrEqual(500);

    const csv = await fetch(`${server.url}/admin/api/consent-records/export?customer=ann@example.com&purpose=newsletter&format=csv`, { headers: { authorization: `Bearer ${token}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const csvLines = (await csv.text()).trimEnd().split('\r\n');
    expect(csvLines[0]).toBe('id,customer,kind,subject,action,legal_basis,channel,client_id,ip,created_at,erased,details');
    expect(csvLines).toHaveLength(SEEDED + 1);
    expect((await call('/consent-records/export?format=xml')).status).toBe(400);
  });

  it('audits every read: who looked, what was asked, and whose records', async () => {
    const events = await server.services.db('events').where({ type: 'admin.vault_read' }).select('account_id', 'client_id', 'data') as { account_id: string | null; client_id: string | null; data: { what: string; reader: string } }[];
    const proof = events.find((e) => e.data.what === 'proof');
    expect(proof).toMatchObject({ account_id: ids.bob, client_id: 'ops', data: { reader: 'client:ops' } });
    expect(events.some((e) => e.data.what === 'search' && e.account_id === ids.ann)).toBe(true);
    expect(events.some((e) => e.data.what === 'export:jsonl' && e.client_id === 'ops-export')).toBe(true);
  });

  it('refuses a token without the admin scope (403) and a request without a token (401)', async () => {
    const ops = await createRelyingParty(server, { clientId: 'narrow-ops', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin capture' });
    // Signed, for the admin API, unexpired, and asked for without the admin scope: not enough.
    const unscoped = (await oidc.clientCredentialsGrant(ops.config, { resource: adminResourceOf(server) })).access_token;
    const refused = await call('/consent-records', { token: unscoped });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'insufficient_scope' });
    expect((await call('/consent-proof?customer=ann@example.com', { token: null })).status).toBe(401);
  });
});

describe('the consent vault page', () => {
  it('shows records and a chart per purpose, pages, exports with the count first, downloads a proof, and audits the administrator', async () => {
    expect((await runCommand(['admins', 'add', 'bob@example.com'], { services: server.services })).exitCode).toBe(0);
    const browser = newBrowser();
    const start = await browser.get(`${server.url}/admin/vault`);
    const landed = await throughPrompts(browser, await enterEmailAndPassword(browser, start, 'bob@example.com', password));
    expect(new URL(landed.url).pathname).toBe('/admin/vault');

    const page = await browser.get(`${server.url}/admin/vault?purpose=newsletter&from=2026-11-01&to=2026-11-04`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('data-subject="newsletter"');
    expect(page.html).toMatch(/class="bar-grant"/);
    expect(page.html).toMatch(/class="bar-withdraw"/);
    expect((page.html.match(/data-record="/g) ?? []).length).toBe(50);
    const older = /href="([^"]+)" rel="next"/.exec(page.html)![1]!.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=');
    const second = await browser.get(new URL(older, server.url).href);
    expect((second.html.match(/data-record="/g) ?? []).length).toBe(50);
    expect(second.html).not.toContain(/data-record="([^"]+)"/.exec(page.html)![1]!);

    const bad = await browser.get(`${server.url}/admin/vault?from=someday`);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('from:');

    const exported = await browser.request(`${server.url}/admin/vault/export?customer=ann@example.com&purpose=newsletter&format=csv`);
    expect(exported.headers.get('x-total-count')).toBe(String(SEEDED));
    const proof = await browser.request(`${server.url}/admin/vault/proof?customer=${ids.bob}`);
    expect(JSON.parse(proof.html)).toMatchObject({ customer: ids.bob });

    const reads = await server.services.db('events').where({ type: 'admin.vault_read' }).select('account_id', 'data') as { account_id: string | null; data: { what: string; reader: string } }[];
    expect(reads.some((e) => e.data.what === 'proof' && e.account_id === ids.bob && e.data.reader === `admin:${ids.bob}`)).toBe(true);
    expect(reads.some((e) => e.data.what === 'export:csv' && e.data.reader === `admin:${ids.bob}`)).toBe(true);
  });
});
