// Two rules of the page sessions of /account and /admin: a sign-in whose auth_time is unknown is never a
// "recent sign-in" (it counted as made just now), and a session lives only while the OIDC session it came
// from does (one that lost it counted as live); a session started by a mailed link is the one exception.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { PORTAL_CLIENT_ID } from '../../../src/clients/own-pages.ts';
import { FormBrowser } from '../../support/form-browser.ts';
import { enterEmailAndPassword, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const password = 'a long and unusual passphrase';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false } } as never);
});
afterAll(async () => server?.stop());

/** Stops where a page sends a visitor to sign in again (instead of following it through SSO). */
const atSignIn = (url: string) => /\/(account|admin)\/login\b/.test(url);

describe('a sign-in without auth_time', () => {
  it('is not a recent one: a change that needs a fresh sign-in asks for one', async () => {
    // Foyer's own page client always asks for auth_time; without it, an ID token carries none.
    await server.services.clients.updateClient(PORTAL_CLIENT_ID, { requireAuthTime: false });
    try {
      const id = await createPasswordAccount(server, 'ada@example.com', password);
      const browser = new FormBrowser();
      const page = await signInToAccount(server, browser, 'ada@example.com', password);
      const [session] = await server.services.db('portal_sessions').where({ account_id: id }).select('auth_time');
      expect(new Date(session.auth_time).getTime()).toBe(0);
      const asked = await browser.submit(page, '/account/overview/email', { email: 'new@example.com' });
      expect(asked.html).not.toContain('Check your email');
      // Sent through a new sign-in for this account instead.
      expect(new URL(asked.url).pathname).toMatch(/^\/interaction\//);
      expect(asked.html).toContain('value="ada@example.com"');
    } finally {
      await server.services.clients.updateClient(PORTAL_CLIENT_ID, { requireAuthTime: true });
    }
  });
});

describe('a page session without its OIDC session', () => {
  it('is not live on /account', async () => {
    const id = await createPasswordAccount(server, 'bob@example.com', password);
    const browser = new FormBrowser();
    await signInToAccount(server, browser, 'bob@example.com', password);
    await server.services.db('portal_sessions').where({ account_id: id }).update({ oidc_session_uid: null });
    browser.stopAt = atSignIn;
    const after = await browser.get(`${server.url}/account/overview`);
    expect(new URL(after.url).pathname).toBe('/account/login');
    expect(await server.services.db('portal_sessions').where({ account_id: id })).toEqual([]);
  });

  it('is not live on /admin', async () => {
    const id = await createPasswordAccount(server, 'ops@example.com', password);
    expect((await runCommand(['admins', 'add', 'ops@example.com'], { services: server.services })).exitCode).toBe(0);
    const browser = new FormBrowser();
    const start = await browser.get(`${server.url}/admin`);
    const page = await throughPrompts(browser, await enterEmailAndPassword(browser, start, 'ops@example.com', password));
    expect(new URL(page.url).pathname).toBe('/admin');
    await server.services.db('portal_sessions').where({ account_id: id, realm: 'admin' }).update({ oidc_session_uid: null });
    browser.stopAt = atSignIn;
    const after = await browser.get(`${server.url}/admin`);
    expect(new URL(after.url).pathname).toBe('/admin/login');
    expect(await server.services.db('portal_sessions').where({ account_id: id, realm: 'admin' })).toEqual([]);
  });
});
