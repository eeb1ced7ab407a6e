// Malformed and hostile input gets a clear 4xx (a page or JSON), never a 5xx, and stores nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
let spa: RelyingParty;

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'app', name: 'App' });
  spa = await createRelyingParty(server, { clientId: 'spa', name: 'SPA', public: true });
});
afterAll(async () => server?.stop());

const authorize = (params: Record<string, string>) => `${server.url}/auth?${new URLSearchParams(params)}`;
const countRows = async (table: string) => Number((await server.dbHandle.db(table).count('* as n'))[0]!.n);

describe('the authorization endpoint', () => {
  it('answers a malformed request with a page, not a redirect to an unverified URI', async () => {
    for (const params of [{ response_type: 'code' }, { client_id: 'nobody', response_type: 'code', redirect_uri: CALLBACK }]) {
      const res = await fetch(authorize(params as Record<string, string>), { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('client');
    }
  });

  it('refuses a redirect_uri that is not registered', async () => {
    const res = await fetch(authorize({ client_id: 'app', response_type: 'code', scope: 'openid', redirect_uri: 'https://evil.example/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' }), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri');
  });

  it('refuses a public client without PKCE (back to the app with an error)', async () => {
    const res = await fetch(authorize({ client_id: 'spa', response_type: 'code', scope: 'openid', redirect_uri: CALLBACK, state: 's' }), { redirect: 'manual' });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('refuses implicit and hybrid response types', async () => {
    const res = await fetch(authorize({ client_id: 'app', response_type: 'id_token token', scope: 'openid', redirect_uri: CALLBACK, nonce: 'n' }), { redirect: 'manual' });
    expect(res.status).toBeLessThan(500);
    const location = res.headers.get('location');
    expect(location ? new URL(location).searchParams.get('error') ?? new URL(location.replace('#', '?')).searchParams.get('error') : await res.text()).toMatch(/unsupported_response_type|invalid/);
  });

  it('refuses NUL characters and invalid UTF-8 in any parameter, storing nothing', async () => {
    const before = await countRows('oidc_models');
    for (const query of ['client_id=app&state=a%00b', 'client_id=app%00', 'client_id=app&state=%FF%FE', 'client_id=app&state=%ED%A0%80']) {
      const res = await fetch(`${server.url}/auth?${query}&response_type=code&scope=openid&redirect_uri=${encodeURIComponent(CALLBACK)}`, { redirect: 'manual' });
      expect(res.status, query).toBe(400);
      expect(await res.text()).not.toMatch(/at \w+ \(/);
    }
    expect(await countRows('oidc_models')).toBe(before);
  });

  it('answers huge parameters with a 4xx', async () => {
    const res = await fetch(authorize({ client_id: 'app', response_type: 'code', scope: 'openid', redirect_uri: CALLBACK, state: 'x'.repeat(20_000) }), { redirect: 'manual' });
    expect(res.status).toBeLessThan(500);
  });
});

describe('the token endpoint', () => {
  it('refuses NUL bytes, invalid UTF-8 and oversized bodies with JSON errors', async () => {
    const basic = `Basic ${Buffer.from(`app:${(app as { secret?: string }).secret}`).toString('base64')}`;
    const cases: [string | Buffer, number][] = [
      ['grant_type=authorization_code&code=a%00b', 400],
      [Buffer.from([0x67, 0x72, 0x61, 0x6e, 0x74, 0x3d, 0xff, 0xfe]), 400],
      [`grant_type=authorization_code&code=${'a'.repeat(70_000)}`, 413],
    ];
    for (const [body, status] of cases) {
      const res = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic, accept: 'application/json' }, body: body as BodyInit });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('json');
    }
  });

  it('refuses a client_id with a NUL byte in Basic authentication', async () => {
    const res = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('app\u0000:secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('refuses a replayed authorization code', async () => {
    const browser = newBrowser();
    const auth = await app.authorizationUrl();
    const first = await browser.get(auth.url);
    const callback = await consentIfAsked(browser, await signUp(server, browser, first, 'replay@example.com', 'a long and unusual passphrase'));
    await app.exchange(callback.url, auth);
    await expect(app.exchange(callback.url, auth)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('the journey pages', () => {
  it('refuse a form posted without its CSRF token with 403 and a page', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    const refused = await browser.submit(first, '/identify', { email: 'a@example.com' }, { omitCsrf: true });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('This form has expired');
  });

  it('refuse NUL bytes and invalid UTF-8 in form fields with 400, creating no account', async () => {
    const before = await countRows('accounts');
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    const nul = await browser.submit(first, '/identify', { email: 'a\u0000@example.com' });
    expect(nul.status).toBe(400);
    expect(nul.html).toContain('NUL');
    const signupPage = await browser.get(first.url.replace(/\/?$/, '/signup'));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(signupPage.html)![1]!;
    const badUtf8 = await browser.request(`${first.url}/signup`, { method: 'POST', body: Buffer.concat([Buffer.from(`_csrf=${csrf}&terms=yes&password=longenoughpassword&email=`), Buffer.from([0xc3, 0x28])]) as unknown as string });
    expect(badUtf8.status).toBe(400);
    expect(await countRows('accounts')).toBe(before);
  });

  it('show a page, not a stack trace, for an unknown or expired interaction', async () => {
    const res = await fetch(`${server.url}/interaction/does-not-exist`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('expired');
    expect(html).not.toMatch(/at \w+ \(/);
  });

  it('reject an invalid email with a message on the same page', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    const page = await browser.submit(first, '/identify', { email: 'not-an-email' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('Enter a valid email address');
    expect(page.html).toContain('value="not-an-email"');
  });

  it('reject a weak password at sign-up, keeping the email typed', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    const form = await browser.get(`${first.url}/signup`);
    for (const [password, message] of [['short', 'at least'], ['password1234', 'too common']] as const) {
      const page = await browser.submit(form, '/signup', { email: 'weak@example.com', password, terms: 'yes' });
      expect(page.status).toBe(400);
      expect(page.html).toContain(message);
      expect(page.html).toContain('value="weak@example.com"');
    }
    const noTerms = await browser.submit(form, '/signup', { email: 'weak@example.com', password: 'a long and unusual passphrase' });
    expect(noTerms.html).toContain('accept the terms');
  });

  it('answer an unknown path with a 404 page and JSON to API callers', async () => {
    const page = await fetch(`${server.url}/nowhere`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(404);
    const api = await fetch(`${server.url}/admin/api/nowhere`);
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: 'not_found' });
  });

  it('signs in with the right password after a wrong one (the counter is per email+address)', async () => {
    const browser = newBrowser();
    const auth = await app.authorizationUrl();
    const wrong = await enterEmailAndPassword(browser, await browser.get(auth.url), 'replay@example.com', 'wrong password entirely');
    expect(wrong.html).toContain('Incorrect email or password.');
    const ok = await browser.submit(wrong, '/password', { password: 'a long and unusual passphrase' });
    expect(ok.url.startsWith(CALLBACK)).toBe(true);
  });
});
