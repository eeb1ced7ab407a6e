// The admin pages from a test: an operator and a viewer (as `foyer admins add` makes them), a browser signed
// in as either through Foyer's own journey, a post the page did not offer (with the page's valid CSRF token),
// and the audit trail of changes made on the pages.
import { expect } from 'vitest';
import { runCommand } from '../../src/cli/commands.ts';
import type { FormBrowser, Page } from './form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from './journey.ts';
import { createPasswordAccount } from './portal.ts';
import { startTestServer, type TestServer } from './test-server.ts';

export const ADMIN_PASSWORD = 'a long and unusual passphrase';
export const OPERATOR = 'operator@example.com';
export const VIEWER = 'viewer@example.com';

/** An operator and a viewer; returns the operator's account id. */
export async function addPageAdmins(server: TestServer): Promise<{ operatorId: string }> {
  const operatorId = await createPasswordAccount(server, OPERATOR, ADMIN_PASSWORD);
  await createPasswordAccount(server, VIEWER, ADMIN_PASSWORD);
  for (const [email, role] of [[OPERATOR, 'operator'], [VIEWER, 'viewer']] as const) {
    expect((await runCommand(['admins', 'add', email, '--role', role], { services: server.services })).exitCode).toBe(0);
  }
  return { operatorId };
}

/** A server whose admin pages need no second factor, with an operator and a viewer. */
export async function startAdminPagesServer(config: Record<string, unknown> = {}): Promise<TestServer> {
  const server = await startTestServer({ admin: { requireSecondFactor: false }, ...config } as never);
  await addPageAdmins(server);
  return server;
}

export async function signInToAdmin(server: TestServer, email: string, path = '/admin'): Promise<{ browser: FormBrowser; page: Page }> {
  const browser = newBrowser();
  const page = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(`${server.url}${path}`), email, ADMIN_PASSWORD));
  return { browser, page };
}

/** Posts `fields` to `path` with the CSRF token of `page` (e.g. from its sign-out form), as a viewer might try. */
export function postWithToken(browser: FormBrowser, server: TestServer, page: Page, path: string, fields: Record<string, string>): Promise<Page> {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
  expect(token).toBeDefined();
  return browser.request(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams({ _csrf: token!, ...fields }).toString() });
}

type AuditedChange = { actor: string; data: Record<string, string> };

async function pageChanges(server: TestServer, where: Record<string, string>): Promise<AuditedChange[]> {
  const rows = await server.dbHandle.db('events').where({ type: 'admin.changed', ...where }).orderBy('created_at') as { actor: string; data: unknown }[];
  return rows.map((r) => ({ actor: r.actor, data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, string> })).filter((e) => e.data.via === 'pages');
}

/** The admin.changed events the pages recorded for `route`. */
export async function pageAudit(server: TestServer, route: string): Promise<AuditedChange[]> {
  return (await pageChanges(server, {})).filter((e) => e.data.route === route);
}

/** The routes of the changes an administrator made on the pages, oldest first. */
export async function pageChangeRoutes(server: TestServer, adminId: string): Promise<string[]> {
  return (await pageChanges(server, { account_id: adminId, actor: `admin:${adminId}` })).flatMap((e) => (e.data.route ? [e.data.route] : []));
}
