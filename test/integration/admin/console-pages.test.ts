// The operators' customer pages (/admin/customers) through HTTP: search with filters, a customer's page, an
// action (disable) behind a confirmation — two CSRF-checked posts, the first only asking — after which the
// customer's password sign-in is refused; a viewer may read but is shown what it lacks when it tries to act;
// every link the navigation gained answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const PASSWORD = 'a long and unusual passphrase';
let server: TestServer;
let shop: RelyingParty;
let customerId: string;

const cli = (...argv: string[]) => runCommand(argv, { services: server.services });

async function signInToAdmin(email: string, path = '/admin'): Promise<{ browser: FormBrowser; page: Page }> {
  const browser = newBrowser();
  const page = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(`${server.url}${path}`), email, PASSWORD));
  return { browser, page };
}

async function customerSignsIn(): Promise<Page> {
  const browser = newBrowser();
  return throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get((await shop.authorizationUrl()).url), 'dora@example.com', PASSWORD));
}

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false } } as never);
  shop = await createRelyingParty(server, { clientId: 'shop', name: 'Shop' });
  await createPasswordAccount(server, 'operator@example.com', PASSWORD);
  await createPasswordAccount(server, 'viewer@example.com', PASSWORD);
  customerId = await createPasswordAccount(server, 'dora@example.com', PASSWORD);
  expect((await cli('admins', 'add', 'operator@example.com', '--role', 'operator')).exitCode).toBe(0);
  expect((await cli('admins', 'add', 'viewer@example.com', '--role', 'viewer')).exitCode).toBe(0);
  expect((await cli('admins', 'add', 'viewer@example.com', '--role', 'chief')).stderr).toContain('--role: "chief" is not one of viewer, operator, owner');
});
afterAll(async () => server?.stop());

describe('the customer pages', () => {
  it('every page of the navigation answers', async () => {
    const { browser, page } = await signInToAdmin('operator@example.com');
    const links = [...page.html.matchAll(/<nav class="portal-nav"[\s\S]*?<\/nav>/g)][0]![0].matchAll(/href="([^"]+)"/g);
    for (const [, href] of links) expect((await browser.get(`${server.url}${href}`)).status, href).toBe(200);
    expect(page.html).toContain('href="/admin/customers"');
    expect(page.html).toContain('href="/admin/audit"');
  });

  it('finds a customer with the search form, with labelled fields, and refuses a bad filter with its message', async () => {
    const { browser } = await signInToAdmin('operator@example.com');
    const list = await browser.get(`${server.url}/admin/customers?q=dora`);
    expect(list.status).toBe(200);
    expect(list.html).toContain(`data-customer="${customerId}"`);
    expect(list.html).not.toContain('operator@example.com</a>');
    for (const id of ['customer-q', 'customer-status', 'customer-created-from', 'customer-mfa', 'customer-passkey']) expect(list.html).toContain(`<label for="${id}">`);
    const bad = await browser.get(`${server.url}/admin/customers?status=gone`);
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('status: one of lite');
    const paged = await browser.get(`${server.url}/admin/customers?limit=1`);
    const next = /href="([^"]+)" rel="next"/.exec(paged.html)?.[1];
    expect(next).toBeDefined();
    expect((await browser.get(`${server.url}${next!.replaceAll('&amp;', '&')}`)).status).toBe(200);
  });

  it('disables a customer only after the confirmation, CSRF-checked; their password sign-in is then refused', async () => {
    expect((await customerSignsIn()).url.startsWith(CALLBACK)).toBe(true);
    const { browser } = await signInToAdmin('operator@example.com');
    const page = await browser.get(`${server.url}/admin/customers/${customerId}`);
    expect(page.html).toContain('dora@example.com');
    expect((await browser.submit(page, `/admin/customers/${customerId}/disable`, {}, { omitCsrf: true })).status).toBe(403);
    const confirm = await browser.submit(page, `/admin/customers/${customerId}/disable`, {});
    expect(confirm.status).toBe(200);
    expect(confirm.html).toContain('Disable account?');
    expect((await server.services.accounts.findAccountById(customerId))!.status).toBe('active');
    const done = await browser.submit(confirm, `/admin/customers/${customerId}/disable`, {});
    expect(new URL(done.url).pathname).toBe(`/admin/customers/${customerId}`);
    expect(done.html).toContain('Disabled: signed out everywhere');
    expect(done.html).toContain('Enable account');
    expect((await server.services.accounts.findAccountById(customerId))!.status).toBe('disabled');
    expect((await customerSignsIn()).html).toContain('Incorrect email or password.');

    const enabled = await browser.submit(await browser.submit(done, `/admin/customers/${customerId}/enable`, {}), `/admin/customers/${customerId}/enable`, {});
    expect(enabled.html).toContain('Enabled.');
    expect((await customerSignsIn()).url.startsWith(CALLBACK)).toBe(true);
  });

  it('lets a viewer read, and shows what is missing when it tries to act', async () => {
    const { browser } = await signInToAdmin('viewer@example.com');
    const page = await browser.get(`${server.url}/admin/customers/${customerId}`);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Your role is viewer');
    expect((await browser.get(`${server.url}/admin/audit`)).status).toBe(200);
    // A form it is not shown, posted anyway (with the page's valid CSRF token, from its sign-out form).
    const token = /name="_csrf" value="([^"]+)"/.exec(page.html)?.[1];
    expect(token).toBeDefined();
    const post = await browser.request(`${server.url}/admin/customers/${customerId}/disable`, { method: 'POST', body: new URLSearchParams({ _csrf: token!, confirm: 'yes' }).toString() });
    expect(post.status).toBe(403);
    expect(post.html).toContain('This needs the operator role; your role is viewer.');
    expect((await server.services.accounts.findAccountById(customerId))!.status).toBe('active');
  });
});
