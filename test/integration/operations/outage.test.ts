// When the database cannot be reached, every check of a token answers 503 with Retry-After (never 401: RFC
// 6750 tells an app to throw an "invalid" token away), writes answer 503 and change nothing, pages answer a
// 503 page; once the database is back, the same token works. PostgreSQL goes away behind a TCP proxy the
// test cuts; PGlite's handle is closed (it cannot come back in the same process).
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle } from '../../../src/db/create-db.ts';
import { migrateLatest } from '../../../src/db/migrate.ts';
import { createLogger } from '../../../src/log.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { FormBrowser } from '../../support/form-browser.ts';
import { accessTokenFor, callAccountApi, createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { createScratchDatabase, type ScratchDatabase } from '../../support/scratch.ts';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.ts';
import { createTestDb, onPostgres } from '../../support/test-db.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const password = 'a long and unusual passphrase';
const profileFields = { fields: [{ key: 'given_name', label: { en: 'First name' }, purpose: 'account' }, { key: 'family_name', label: { en: 'Last name' }, purpose: 'account' }] };

let server: TestServer;
let handle: DbHandle;
let proxy: TcpProxy | undefined;
let scratch: ScratchDatabase | undefined;
let app: RelyingParty;
let accountId: string;
let accessToken: string;
const browser = new FormBrowser();
let adminCall: Awaited<ReturnType<typeof createAdminApi>>['call'];
/** What the server logged (warnings and errors), one object per line. */
const logged: Record<string, unknown>[] = [];

beforeAll(async () => {
  if (onPostgres) {
    scratch = await createScratchDatabase(process.env.DATABASE_URL!, 'foyer_outage');
    const direct = new URL(scratch.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(scratch.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    handle = createDb({ databaseUrl: proxied.toString(), poolMax: 5 });
    await migrateLatest(handle.db);
  } else {
    handle = await createTestDb();
  }
  const log = createLogger('warn', { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  server = await startTestServer({ profile: profileFields } as never, { dbHandle: handle, log });
  app = await createRelyingParty(server, { clientId: 'settings-app', scope: 'openid email account' });
  accountId = await createPasswordAccount(server, 'ada@example.com', password);
  ({ accessToken } = await accessTokenFor(app, 'ada@example.com', password, 'openid email account'));
  ({ call: adminCall } = await createAdminApi(server));
  await signInToAccount(server, browser, 'ada@example.com', password);
});

afterAll(async () => {
  proxy?.restore();
  await server?.stop();
  await handle?.close().catch(() => undefined);
  await proxy?.close();
  await scratch?.drop();
});

const userinfo = (token: string) => fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}` } });

async function expectUnavailable(res: { status: number; headers: Headers }, what: string) {
  expect(res.status, what).toBe(503);
  expect(Number(res.headers.get('retry-after')), what).toBeGreaterThan(0);
}

async function stopDatabase() {
  if (proxy) return proxy.cut();
  // PGlite is one connection: the instance knex holds is the one to close.
  const client = handle.db.client as { acquireConnection(): Promise<PGlite>; releaseConnection(c: PGlite): Promise<void> };
  const pglite = await client.acquireConnection();
  await pglite.close();
  await client.releaseConnection(pglite);
}

describe('a database outage', () => {
  it('answers 503 with Retry-After for valid tokens, writes and pages, and recovers when the database is back', async () => {
    expect((await callAccountApi(server, '/overview', accessToken)).status).toBe(200);
    expect((await userinfo(accessToken)).status).toBe(200);
    expect((await adminCall('/clients')).status).toBe(200);

    await stopDatabase();

    // Many calls at once with a valid token: none is answered as if the token were bad.
    const calls = await Promise.all(Array.from({ length: 20 }, () => callAccountApi(server, '/overview', accessToken)));
    for (const call of calls) {
      await expectUnavailable(call, 'Account API');
      expect(call.json.error).toBe('server.unavailable');
      expect(call.headers.get('www-authenticate')).toBeNull();
    }
    await expectUnavailable(await userinfo(accessToken), 'userinfo');
    const introspection = await fetch(`${server.url}/token/introspection`, {
      method: 'POST', body: new URLSearchParams({ token: accessToken, client_id: app.clientId, client_secret: (app as { secret?: string }).secret ?? '' }),
    });
    await expectUnavailable(introspection, 'introspection');
    const admin = await adminCall('/clients');
    await expectUnavailable(admin, 'admin API');
    // The admin API answers its outage as every other error of its: RFC 9457 problem details.
    expect(admin.headers.get('content-type')).toContain('application/problem+json');
    expect(admin.body).toMatchObject({ status: 503, error: 'server.unavailable', type: 'urn:foyer:error:server.unavailable', title: 'Service Unavailable' });
    expect(Object.keys(admin.body!).sort()).toEqual(['detail', 'error', 'instance', 'message', 'request_id', 'status', 'title', 'type']);
    expect(logged.some((line) => line.msg === 'database unavailable' && line.requestId === admin.body!.request_id && line.path === '/admin/api/clients')).toBe(true);

    // A write answers 503 and leaves nothing behind.
    const write = await callAccountApi(server, '/profile', accessToken, { method: 'PATCH', body: { given_name: 'Ada', family_name: 'Lovelace' } });
    await expectUnavailable(write, 'Account API write');

    // Pages answer a 503 page; readiness says so too.
    const page = await browser.get(`${server.url}/account/overview`);
    await expectUnavailable(page, 'account page');
    expect(page.html).toContain('Temporarily unavailable');
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);

    if (!proxy) return; // PGlite, once closed, stays closed in this process.
    proxy.restore();
    const back = await callAccountApi(server, '/overview', accessToken);
    expect(back.status, JSON.stringify(back.json)).toBe(200);
    expect((await userinfo(accessToken)).status).toBe(200);
    expect((await adminCall('/clients')).status).toBe(200);
    expect(await server.services.db('profile_values').where({ account_id: accountId })).toEqual([]);
  });
});
