// Signing in to the admin pages as an operator or a viewer (through Foyer's own journey), and the helpers the
// edit-page tests share: a page's CSRF token, a post the page did not offer, and the audit trail of the pages.
import { expect } from 'vitest';
import { runCommand } from '../../src/cli/commands.ts';
import type { FormBrowser, Page } from './form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from './journey.ts';
import { createPasswordAccount } from './portal.ts';
import type { TestServer } from './test-server.ts';

export const ADMIN_PASSWORD = 'a long and unusual passphrase';

/** An operator and a viewer, as `foyer admins add` makes them; returns the operator's account id. */
export async function addPageAdmins(server: TestServer): Promise<{ operatorId: string }> {
  const operatorId = await createPasswordAccount(server, 'operator@example.com', ADMIN_PASSWORD);
  await createPasswordAccount(server, 'viewer@example.com', ADMIN_PASSWORD);
  for (const [email, role] of [['operator@example.com', 'operator'], ['viewer@example.com', 'viewer']]) {
    expect((await runCommand(['admins', 'add', email!, '--role', role!], { services: server.services })).exitCode).toBe(0);
  }
  return { operatorId };
}

export async function signInToAdmin(server: TestServer, email: string, path = '/admin'): Promise<{ browser: FormBrowser; page: Page }> {
  const browser = newBrowser();
  const page = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(`${server.url}${path}`), email, ADMIN_PASSWORD));
  return { browser, page };
}

/** Posts a form the page did not show (as a viewer would have to), with the page's valid CSRF token. */
export async function postAnyway(server: TestServer, browser: FormBrowser, page: Page, path: string, fields: Record<string, string>): Promise<Page> {
  const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
  expect(token).toBeDefined();
  return browser.request(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams({ _csrf: token!, ...fields }).toString() });
}

/** The routes of the changes an administrator made on the pages, oldest first. */
export async function pageAudit(server: TestServer, adminId: string): Promise<string[]> {
  const rows = await server.dbHandle.db('events').where({ type: 'admin.changed', account_id: adminId, actor: `admin:${adminId}` }).orderBy('created_at') as { data: { route: string; via: string } }[];
  return rows.filter((r) => r.data.via === 'pages').map((r) => r.data.route);
}
