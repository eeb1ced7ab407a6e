// The audit log (/admin/api/audit and /admin/audit): a change through the admin API, one through the admin
// pages and one through the `foyer` command each appear with their actor (client:<id>, admin:<sub>,
// cli:<OS user>); filters by actor, target, type and time, and paging, hold; bad filters are 400s.
import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const PASSWORD = 'a long and unusual passphrase';
let server: TestServer;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
let adminId: string;
let customerId: string;
const CLI_ACTOR = `cli:${userInfo().username}`;

interface AuditEvent { type: string; actor: string | null; account_id: string | null; data: Record<string, unknown>; created_at: string }
const events = async (query: string) => {
  const res = await call(`/audit?${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body!.events as AuditEvent[];
};

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false } } as never);
  ({ call } = await createAdminApi(server));
  adminId = await createPasswordAccount(server, 'owner@example.com', PASSWORD);
  customerId = await createPasswordAccount(server, 'erin@example.com', PASSWORD);
});
afterAll(async () => server?.stop());

describe('the audit log', () => {
  it('shows an API change, a page change and a foyer command change, each with its actor', async () => {
    // The foyer command: the OS user who ran it.
    expect((await runCommand(['admins', 'add', 'owner@example.com', '--role', 'owner'], { services: server.services })).exitCode).toBe(0);
    expect((await runCommand(['clients', 'add', '--client-id', 'cli-app', '--redirect-uri', 'https://app.example/cb', '--secret', 'a-secret-of-thirty-two-characters!!'], { services: server.services })).exitCode).toBe(0);
    // The API: the client of the token.
    expect((await call(`/customers/${customerId}/unlock`, { method: 'POST' })).status).toBe(200);
    // The pages: the administrator's sub.
    const browser = newBrowser();
    await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(`${server.url}/admin/customers/${customerId}`), 'owner@example.com', PASSWORD));
    const page = await browser.get(`${server.url}/admin/customers/${customerId}`);
    const confirm = await browser.submit(page, `/admin/customers/${customerId}/sign-out-everywhere`, {});
    expect((await browser.submit(confirm, `/admin/customers/${customerId}/sign-out-everywhere`, {})).html).toContain('Signed out everywhere.');

    const cli = await events(`actor=${encodeURIComponent(CLI_ACTOR)}`);
    expect(cli.map((e) => e.data.command)).toEqual(['clients add', 'admins add']);
    expect(cli[0]!.data).toMatchObject({ via: 'cli', target: 'cli-app' });
    expect(cli[1]!.account_id).toBe(adminId);
    expect(JSON.stringify(cli)).not.toContain('a-secret-of-thirty-two');
    const api = await events(`actor=client:ops&target=${customerId}`);
    expect(api.map((e) => e.type).sort()).toEqual(['account.unlocked', 'admin.changed']);
    const pages = await events(`actor=admin:${adminId}`);
    expect(pages.map((e) => e.type).sort()).toEqual(['admin.changed', 'session.signed_out_everywhere']);
    expect(pages.every((e) => e.account_id === customerId)).toBe(true);

    // The page shows them with their actors, filtered.
    const log = await browser.get(`${server.url}/admin/audit?actor=${encodeURIComponent(CLI_ACTOR)}`);
    expect(log.status).toBe(200);
    expect(log.html).toContain('clients add');
    expect(log.html).not.toContain('session.signed_out_everywhere');
    expect((await browser.get(`${server.url}/admin/audit?type=session.*`)).html).toContain('session.signed_out_everywhere');
  });

  it('filters by type prefix and time, pages newest first, and refuses bad filters', async () => {
    expect((await events('type=account.*')).every((e) => e.type.startsWith('account.'))).toBe(true);
    expect(await events(`to=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).toEqual([]);
    expect((await events(`from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`)).length).toBeGreaterThan(3);
    const all = await events('limit=200');
    const seen: AuditEvent[] = [];
    let next: string | null = null;
    do {
      const res = await call(`/audit?limit=3${next ? `&cursor=${next}` : ''}`);
      seen.push(...res.body!.events as AuditEvent[]);
      next = res.body!.next as string | null;
    } while (next);
    expect(seen).toEqual(all);
    expect([...all].sort((a, b) => b.created_at.localeCompare(a.created_at))).toEqual(all);
    for (const query of ['type=a%20b', 'from=never', 'cursor=zzz', 'limit=500']) {
      const res = await call(`/audit?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('keeps an erased administrator\'s changes, their actor renamed to the tombstone', async () => {
    const before = (await events(`actor=admin:${adminId}`)).length;
    expect(before).toBeGreaterThan(0);
    expect((await runCommand(['users', 'erase', 'owner@example.com', '--now'], { services: server.services })).exitCode).toBe(0);
    expect(await events(`actor=admin:${adminId}`)).toEqual([]);
    const renamed = await server.dbHandle.db('events').where('actor', 'like', 'admin:%').pluck('actor') as string[];
    expect(renamed).toHaveLength(before);
    expect(new Set(renamed).size).toBe(1);
  });
});
