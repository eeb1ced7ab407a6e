// The admin pages (/admin) through the real HTTP surface: they sign in as Foyer's own `foyer-admin` client,
// let in only accounts in the admins table (granted with `foyer admins add`), ask for a second factor unless
// configured off, keep a session of their own realm, and manage webhooks with CSRF-checked, audited forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { FormBrowser, type Page } from '../../support/form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../../support/logout-receiver.ts';
import { CALLBACK, createRelyingParty } from '../../support/relying-party.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const PASSWORD = 'a long and unusual passphrase';
let server: TestServer;
let adminId: string;
let receiver: LogoutReceiver;

const cli = (...argv: string[]) => runCommand(argv, { services: server.services });

/** Opens `path` of /admin in a new browser and signs in with email and password; returns where it lands. */
async function signInToAdmin(target: TestServer, email: string, path = '/admin'): Promise<{ browser: FormBrowser; page: Page }> {
  const browser = newBrowser();
  const start = await browser.get(`${target.url}${path}`);
  expect(start.html, 'the sign-in page').toContain('name="email"');
  const page = await throughPrompts(browser, await enterEmailAndPassword(browser, start, email, PASSWORD));
  return { browser, page };
}

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  server = await startTestServer({ admin: { requireSecondFactor: false }, outboundAllowPrivate: true, profile: { fields: [{ key: 'given_name', label: { en: 'First name' }, purpose: 'marketing' }] } } as never);
  adminId = await createPasswordAccount(server, 'ops.admin@example.com', PASSWORD);
  await createPasswordAccount(server, 'customer@example.com', PASSWORD);
  expect((await cli('admins', 'add', 'ops.admin@example.com')).exitCode).toBe(0);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

describe('signing in to /admin', () => {
  it('goes through Foyer as the foyer-admin client, and refuses an account that is not an administrator', async () => {
    const toLogin = await fetch(`${server.url}/admin/webhooks`, { redirect: 'manual' });
    expect(toLogin.headers.get('location')).toBe('/admin/login?return_to=%2Fadmin%2Fwebhooks');
    const toAuth = await fetch(`${server.url}/admin/login`, { redirect: 'manual' });
    expect(toAuth.headers.get('location')).toMatch(/\/auth\?.*client_id=foyer-admin/);
    const { page } = await signInToAdmin(server, 'customer@example.com');
    expect(page.status).toBe(403);
    expect(page.html).toContain('This account is not an administrator');
    expect((await cli('admins', 'list', '--json')).stdout).toContain('ops.admin@example.com');
  });

  it('lets an administrator in, back to the page asked for, with a session the account pages do not accept', async () => {
    const keyed = ['--id-token-alg', 'RS256', '--token-auth', 'private_key_jwt', '--jwks-uri', 'https://keyed.example/jwks.json'];
    expect((await cli('clients', 'add', '--client-id', 'keyed-app', '--redirect-uri', CALLBACK, ...keyed)).exitCode).toBe(0);
    const { browser, page } = await signInToAdmin(server, 'ops.admin@example.com', '/admin/clients');
    expect(new URL(page.url).pathname).toBe('/admin/clients');
    expect(page.html).toContain('foyer-account');
    expect(page.html).toContain('foyer-admin');
    // Each app's ID token algorithm and token endpoint authentication (with its keys' address).
    const row = /<tr data-client="keyed-app">.*?<\/tr>/s.exec(page.html)?.[0] ?? '';
    expect(row).toContain('<td>RS256</td>');
    expect(row).toContain('private_key_jwt');
    expect(row).toContain('keys: https://keyed.example/jwks.json');
    const overview = await browser.get(`${server.url}/admin`);
    expect(overview.html).toContain('Administration');
    expect(overview.html).toContain('ops.admin@example.com');
    const [session] = await server.dbHandle.db('portal_sessions').where({ account_id: adminId, realm: 'admin' });
    expect(session).toBeDefined();
    expect(await server.services.portalSessions.listPortalSessions(adminId)).toEqual([]);
    // The account pages ask this browser to sign in: an admin session is not an account-pages session.
    expect((await browser.get(`${server.url}/account/overview`)).html).toContain('name="email"');
  });

  it('ends the session at once when the account stops being an administrator', async () => {
    const { browser } = await signInToAdmin(server, 'ops.admin@example.com');
    await createPasswordAccount(server, 'second.admin@example.com', PASSWORD);
    await cli('admins', 'add', 'second.admin@example.com');
    const second = await signInToAdmin(server, 'second.admin@example.com');
    expect(new URL(second.page.url).pathname).toBe('/admin');
    expect((await cli('admins', 'remove', 'second.admin@example.com')).exitCode).toBe(0);
    // Its next request goes through sign-in again, which (still signed in to Foyer) ends at the refusal.
    const again = await second.browser.get(`${server.url}/admin`);
    expect(again.status).toBe(403);
    expect(again.html).toContain('This account is not an administrator');
    expect((await cli('admins', 'remove', 'second.admin@example.com')).stderr).toContain('is not an administrator');
    expect((await browser.get(`${server.url}/admin`)).html).toContain('Administration');
  });
});

describe('managing webhooks on the pages', () => {
  let browser: FormBrowser;
  let page: Page;

  beforeAll(async () => {
    ({ browser, page } = await signInToAdmin(server, 'ops.admin@example.com', '/admin/webhooks'));
  });

  it('refuses a form without its CSRF token, and shows a bad one again with the message', async () => {
    expect((await browser.submit(page, '/admin/webhooks', { name: 'CRM', url: 'https://crm.example/h' }, { omitCsrf: true })).status).toBe(403);
    const bad = await browser.submit(page, '/admin/webhooks', { name: 'CRM', url: 'ftp://crm.example/h', events: '*', fields: 'email' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('url: needs an http(s) URL');
    expect(bad.html).toContain('value="ftp://crm.example/h"');
    const unknown = await browser.submit(page, '/admin/webhooks', { name: 'CRM', url: 'https://crm.example/h', events: '*', fields: 'email shoe_size' });
    expect(unknown.html).toContain('No such profile field: shoe_size');
    expect(await server.services.webhooks.list()).toEqual([]);
  });

  it('registers one (its secret shown once), disables, enables and removes it, each change audited', async () => {
    const added = await browser.submit(page, '/admin/webhooks', { name: 'Brand CRM', url: 'https://crm.example/hooks', events: 'profile.* account.*', fields: 'email given_name' });
    expect(added.status).toBe(200);
    const secret = /<code id="webhook-secret">(whsec_[^<]+)<\/code>/.exec(added.html)?.[1];
    expect(secret).toBeDefined();
    const [webhook] = await server.services.webhooks.list();
    expect(webhook).toMatchObject({ name: 'Brand CRM', events: ['profile.*', 'account.*'], fields: ['email', 'given_name'], enabled: true });
    const list = await browser.get(`${server.url}/admin/webhooks`);
    expect(list.html).toContain('Brand CRM');
    expect(list.html).not.toContain(secret!);

    const detail = await browser.get(`${server.url}/admin/webhooks/${webhook!.id}`);
    const disabled = await browser.submit(detail, `/admin/webhooks/${webhook!.id}/disable`, {});
    expect(disabled.html).toContain('Disabled: it gets no new events.');
    expect((await server.services.webhooks.find(webhook!.id))!.enabled).toBe(false);
    const enabled = await browser.submit(disabled, `/admin/webhooks/${webhook!.id}/enable`, {});
    expect((await server.services.webhooks.find(webhook!.id))!.enabled).toBe(true);
    const removed = await browser.submit(enabled, `/admin/webhooks/${webhook!.id}/remove`, {});
    expect(removed.html).toContain('Removed, with its delivery log.');
    expect(await server.services.webhooks.list()).toEqual([]);

    // The pages' changes (`foyer admins add` made one about this account too, with its own actor).
    const audit = await server.dbHandle.db('events').where({ type: 'admin.changed', account_id: adminId, actor: `admin:${adminId}` }).orderBy('created_at') as { data: { route: string; via: string } }[];
    expect(audit.map((e) => e.data.route)).toEqual(['/admin/webhooks', '/admin/webhooks/:id/disable', '/admin/webhooks/:id/enable', '/admin/webhooks/:id/remove']);
    expect(JSON.stringify(audit)).not.toContain(secret!);
  });

  it('lists the profile fields, purposes, documents and administrators', async () => {
    expect((await browser.get(`${server.url}/admin/profile-fields`)).html).toContain('data-field="given_name"');
    const consent = await browser.get(`${server.url}/admin/consent`);
    expect(consent.html).toContain('data-purpose="marketing"');
    expect(consent.html).toContain('data-document="terms"');
    expect((await browser.get(`${server.url}/admin/admins`)).html).toContain('ops.admin@example.com');
  });

  it('signs out of the admin pages and of Foyer, telling the apps of that Foyer session (back-channel logout)', async () => {
    const shop = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', firstParty: true, backchannelLogoutUri: receiver.url });
    const callback = await throughPrompts(browser, await browser.get((await shop.authorizationUrl()).url));
    expect(callback.url.startsWith(CALLBACK), 'signed in to the shop by SSO').toBe(true);
    const out = await browser.submit(await browser.get(`${server.url}/admin`), '/admin/logout', {});
    expect(out.html).toContain('You are signed out');
    expect(receiver.tokens).toHaveLength(1);
    expect((await browser.get(`${server.url}/admin`)).html).toContain('name="email"');
  });
});

describe('with a second factor required (the default)', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer();
    await createPasswordAccount(strict, 'strict.admin@example.com', PASSWORD);
    await runCommand(['admins', 'add', 'strict.admin@example.com'], { services: strict.services });
  });
  afterAll(async () => strict?.stop());

  it('asks the administrator for a second factor after the password, before any admin page', async () => {
    const { page } = await signInToAdmin(strict, 'strict.admin@example.com');
    expect(page.url).toContain('/interaction/');
    expect(page.url).toMatch(/\/mfa/);
    expect(await strict.dbHandle.db('portal_sessions').where({ realm: 'admin' })).toEqual([]);
  });
});
