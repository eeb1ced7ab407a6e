// The account portal's shell: signing in to /account as Foyer's own first-party client, its cookie, signing
// out (the OIDC session too), CSRF, and the Account API's token, scope and CORS rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { FormBrowser } from '../../support/form-browser.ts';
import { accessTokenFor, callAccountApi, createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let accountApp: RelyingParty;
let plainApp: RelyingParty;
const password = 'a long and unusual passphrase';
const email = 'owner@example.com';

beforeAll(async () => {
  server = await startTestServer();
  await createPasswordAccount(server, email, password);
  accountApp = await createRelyingParty(server, { clientId: 'settings-app', name: 'Settings app', scope: 'openid email account' });
  plainApp = await createRelyingParty(server, { clientId: 'plain-app', name: 'Plain app', scope: 'openid email' });
});
afterAll(async () => server?.stop());

describe('signing in to /account', () => {
  it('is registered as a public first-party client, and a page without a session goes through the sign-in and back', async () => {
    const client = await server.services.clients.showClient('foyer-account');
    expect(client).toMatchObject({ first_party: true, token_endpoint_auth_method: 'none', redirect_uris: [`${server.url}/account/callback`] });
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, email, password, '/account/overview');
    expect(new URL(page.url).pathname).toBe('/account/overview');
    expect(page.html).toContain(email);
    expect(page.html).toContain('Sign out');
    expect(page.html).not.toContain('Allow access'); // first party: no consent page
    const row = await server.services.db('portal_sessions').first();
    expect(row.amr).toEqual(['pwd']);
    expect(row.oidc_session_uid).toBeTruthy();
    expect(Date.now() - new Date(row.auth_time).getTime()).toBeLessThan(60_000);
  });

  it('starts at /auth as foyer-account, and the server keeps only a hash of the cookie token', async () => {
    const login = await fetch(`${server.url}/account/login`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toMatch(/\/auth\?.*client_id=foyer-account/);
    const browser = new FormBrowser();
    await signInToAccount(server, browser, email, password);
    const token = browser.cookie('foyer.account')!;
    expect(token).toBeTruthy();
    const rows = await server.services.db('portal_sessions').select('token_hash');
    expect(rows.some((r: { token_hash: string }) => r.token_hash === token)).toBe(false);
  });

  it('sets the cookie HttpOnly, SameSite=Lax, signed, for /account only', async () => {
    const browser = new FormBrowser((url) => url.includes('/account/overview'));
    const start = await browser.get(`${server.url}/account/overview`);
    let setCookie: string[] = [];
    const original = browser.request.bind(browser);
    browser.request = async (url, init) => {
      const page = await original(url, init);
      setCookie = setCookie.concat(page.headers.getSetCookie());
      return page;
    };
    await throughPrompts(browser, await enterEmailAndPassword(browser, start, email, password));
    const cookie = setCookie.find((c) => c.startsWith('foyer.account='))!;
    expect(cookie).toMatch(/httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);
    expect(cookie).toMatch(/path=\/account/i);
    expect(setCookie.some((c) => c.startsWith('foyer.account.sig='))).toBe(true);
  });

  it('a forged or unsigned cookie is no session', async () => {
    const res = await fetch(`${server.url}/account/overview`, { redirect: 'manual', headers: { cookie: 'foyer.account=forged-token-value-that-is-long-enough-xx' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/account\/login\?return_to=/);
  });

  it('signing out ends the portal session and the OIDC session; a sign-out without its CSRF token is refused', async () => {
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, email, password);
    const stale = await browser.submit(page, '/account/logout', {}, { omitCsrf: true });
    expect(stale.status).toBe(403);
    expect(stale.html).toContain('This form has expired');
    const out = await browser.submit(page, '/account/logout', {});
    expect(out.url).toBe(`${server.url}/account/signed-out`);
    expect(out.html).toContain('You are signed out');
    // No SSO back in: the OIDC session is gone, so the sign-in page asks for the email again.
    const again = await browser.get(`${server.url}/account/overview`);
    expect(again.html).toContain('name="email"');
  });

  it('answers a callback that was not started here with a page, not a 500', async () => {
    const res = await fetch(`${server.url}/account/callback?code=x&state=y`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('sign in again');
  });

  it('never sends a return_to outside the portal', async () => {
    const res = await fetch(`${server.url}/account/login?return_to=${encodeURIComponent('//evil.example/x')}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const login = res.headers.getSetCookie().find((c) => c.startsWith('foyer.account_login='))!;
    expect(decodeURIComponent(login)).toContain('"returnTo":"/account/overview"');
  });
});

describe('the Account API', () => {
  it('answers a token with the account scope from a client allowed it', async () => {
    const { accessToken } = await accessTokenFor(accountApp, email, password, 'openid email account');
    const res = await callAccountApi(server, '/overview', accessToken);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ email, email_verified: true, status: 'active' });
  });

  it('refuses a request without a bearer token (401 JSON), and ignores portal cookies', async () => {
    const browser = new FormBrowser();
    await signInToAccount(server, browser, email, password);
    const res = await fetch(`${server.url}/account/api/overview`, { headers: { cookie: `foyer.account=${browser.cookie('foyer.account')}; foyer.account.sig=${browser.cookie('foyer.account.sig')}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    expect((await callAccountApi(server, '/overview', 'not-a-real-token-but-long-enough')).status).toBe(401);
  });

  it('refuses a token without the account scope with 403 JSON', async () => {
    const { accessToken } = await accessTokenFor(plainApp, email, password, 'openid email');
    const res = await callAccountApi(server, '/overview', accessToken);
    expect(res.status).toBe(403);
    expect(res.json.error).toBe('insufficient_scope');
    expect(res.json.message).toContain('account');
  });

  it('a client not registered with the account scope cannot obtain it, nor can a client registered without any scope', async () => {
    await createRelyingParty(server, { clientId: 'scopeless-app', scope: 'openid' });
    await server.services.db.raw("UPDATE clients SET metadata = metadata - 'scope' WHERE client_id = ?", ['scopeless-app']);
    for (const clientId of ['plain-app', 'scopeless-app']) {
      const params = new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid account', redirect_uri: CALLBACK, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 'st' });
      const page = await newBrowser().get(`${server.url}/auth?${params}`);
      const url = new URL(page.url);
      expect(url.href.startsWith(CALLBACK), `${clientId}: ${page.url}`).toBe(true);
      expect(url.searchParams.get('error'), clientId).toBe('invalid_scope');
    }
  });

  it('answers CORS preflights for the origins of clients allowed the scope, and no other origin', async () => {
    const preflight = (origin: string) => fetch(`${server.url}/account/api/overview`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    const allowed = await preflight('http://127.0.0.1:9');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:9');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // Errors carry the header too, so a browser app can read why it was refused.
    const refused = await fetch(`${server.url}/account/api/overview`, { headers: { origin: 'http://127.0.0.1:9' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:9');
  });
});
