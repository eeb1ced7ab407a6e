// The admin pages from a test: a server whose admin pages need no second factor, an operator and a viewer,
// and a browser signed in as either; plus posting a form with a valid CSRF token but no form on the page.
import { expect } from 'vitest';
import { runCommand } from '../../src/cli/commands.ts';
import type { FormBrowser, Page } from './form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from './journey.ts';
import { createPasswordAccount } from './portal.ts';
import { startTestServer, type TestServer } from './test-server.ts';

const PASSWORD = 'a long and unusual passphrase';
export const OPERATOR = 'operator@example.com';
export const VIEWER = 'viewer@example.com';

export async function startAdminPagesServer(config: Record<string, unknown> = {}): Promise<TestServer> {
  const server = await startTestServer({ admin: { requireSecondFactor: false }, ...config } as never);
  for (const [email, role] of [[OPERATOR, 'operator'], [VIEWER, 'viewer']] as const) {
    await createPasswordAccount(server, email, PASSWORD);
    expect((await runCommand(['admins', 'add', email, '--role', role], { services: server.services })).exitCode).toBe(0);
  }
  return server;
}

export async function signInToAdmin(server: TestServer, email: string, path = '/admin'): Promise<{ browser: FormBrowser; page: Page }> {
  const browser = newBrowser();
  const page = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(`${server.url}${path}`), email, PASSWORD));
  return { browser, page };
}

/** Posts `fields` to `path` with the CSRF token of `page` (e.g. from its sign-out form), as a viewer might try. */
export function postWithToken(browser: FormBrowser, server: TestServer, page: Page, path: string, fields: Record<string, string>): Promise<Page> {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
  expect(token).toBeDefined();
  return browser.request(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams({ _csrf: token!, ...fields }).toString() });
}

/** The admin.changed events the pages recorded for `route`. */
export async function pageAudit(server: TestServer, route: string): Promise<{ actor: string; data: Record<string, string> }[]> {
  const rows = await server.dbHandle.db('events').where({ type: 'admin.changed' }).orderBy('created_at') as { actor: string; data: unknown }[];
  return rows.map((r) => ({ actor: r.actor, data: (typeof r.data === 'string' ? JSON.parse(r.data) : r.data) as Record<string, string> })).filter((e) => e.data.route === route && e.data.via === 'pages');
}
