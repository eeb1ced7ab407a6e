// Steps for the account portal (/account), driven through the real HTTP surface: accounts with a
// password, signing in to /account as its own OIDC client, and Account API tokens for a relying party.
import { expect } from 'vitest';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { decodeEntities, FormBrowser, type Page } from './form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from './journey.ts';
import { createRelyingParty, type RelyingParty } from './relying-party.ts';
import { codeFrom } from './smtp-capture.ts';
import type { SoftAuthenticator } from './soft-authenticator.ts';
import { startTestServer, type TestServer } from './test-server.ts';

/** A server with an app (client `settings-app`) that may call the Account API for its customers. */
export async function startServerWithSettingsApp(): Promise<{ server: TestServer; app: RelyingParty }> {
  const server = await startTestServer();
  try {
    return { server, app: await createRelyingParty(server, { clientId: 'settings-app', scope: 'openid email account' }) };
  } catch (error) {
    await server.stop(); // the caller never gets the server to stop
    throw error;
  }
}

export async function createPasswordAccount(server: TestServer, email: string, password: string): Promise<string> {
  const account = await server.services.accounts.insertAccount({ email, status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
  return account.id;
}

/** Opens `path` of /account in `browser`, signs in with email and password, and returns the page it lands on. */
export async function signInToAccount(server: TestServer, browser: FormBrowser, email: string, password: string, path = '/account/overview'): Promise<Page> {
  const start = await browser.get(`${server.url}${path}`);
  expect(start.html, 'the sign-in page').toContain('name="email"');
  const page = await throughPrompts(browser, await enterEmailAndPassword(browser, start, email, password));
  expect(new URL(page.url).pathname.startsWith('/account/'), page.url).toBe(true);
  return page;
}

/** A relying party's access token for an account (through the journey, consent allowed). */
export async function accessTokenFor(rp: RelyingParty, email: string, password: string, scope: string, browser = newBrowser()): Promise<{ accessToken: string; browser: FormBrowser }> {
  const auth = await rp.authorizationUrl({ scope });
  const start = await browser.get(auth.url);
  let page = start.html.includes('name="email"') ? await enterEmailAndPassword(browser, start, email, password) : start;
  page = await throughPrompts(browser, page);
  const tokens = await rp.exchange(page.url, auth);
  return { accessToken: tokens.access_token, browser };
}

export async function callAccountApi(server: TestServer, path: string, token: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${server.url}/account/api${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { error?: string; message?: string } };
}

/** The CSRF token in a page's forms. */
export function csrfOf(page: Page): string {
  return decodeEntities(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
}

/** Makes the portal sessions of an account look as if their sign-in was `minutes` ago. */
export async function ageSignIn(server: TestServer, accountId: string, minutes: number): Promise<void> {
  await server.services.db('portal_sessions').where({ account_id: accountId }).update({ auth_time: new Date(Date.now() - minutes * 60_000) });
}

/** Makes the Account API access tokens of an account look as if their sign-in was `minutes` ago. */
export async function ageAccessTokens(server: TestServer, accountId: string, minutes: number): Promise<void> {
  const authTime = Math.floor((Date.now() - minutes * 60_000) / 1000);
  await server.services.db.raw(`UPDATE oidc_models SET payload = jsonb_set(payload, '{extra}', jsonb_build_object('auth_time', ?::int)) WHERE model = 'AccessToken' AND account_id = ?`, [authTime, accountId]);
}

const proofMails = (server: TestServer, email: string) => server.smtp.mails.filter((m) => m.to.includes(email) && m.subject.startsWith('Confirm it is you to set up'));

/** The mailed-code proof a password-only portal session gives before adding a first second factor (security page). */
export async function proveEmailInPortal(server: TestServer, browser: FormBrowser, email: string, next = 'totp'): Promise<Page> {
  const before = proofMails(server, email).length;
  const start = await browser.get(`${server.url}/account/security/enrol-proof?next=${next}`);
  const sent = await browser.submit(start, '/account/security/enrol-proof/send', {});
  for (let i = 0; i < 200 && proofMails(server, email).length <= before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  const mail = proofMails(server, email)[before];
  expect(mail, 'the proof mail').toBeDefined();
  return browser.submit(sent, '/account/security/enrol-proof', { code: codeFrom(mail!) });
}

/** The same proof for an Account API token. */
export async function proveEmailThroughApi(server: TestServer, token: string, email: string): Promise<void> {
  const before = proofMails(server, email).length;
  expect((await callAccountApi(server, '/security/enrolment-proof', token, { method: 'POST' })).status).toBe(202);
  for (let i = 0; i < 200 && proofMails(server, email).length <= before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  const confirmed = await callAccountApi(server, '/security/enrolment-proof/confirm', token, { method: 'POST', body: { code: codeFrom(proofMails(server, email)[before]!) } });
  expect(confirmed.json).toEqual({ proved: true });
}

/**
 * Adds a passkey to the signed-in account through the security page, with the tests' software authenticator
 * (confirming the email first when the page asks for it: a first second factor on a password-only session).
 */
export async function addPasskeyThroughPortal(server: TestServer, browser: FormBrowser, authenticator: SoftAuthenticator): Promise<Page> {
  let page = await browser.get(`${server.url}/account/security`);
  if (decodeEntities(page.html).includes('enrol-proof?next=passkey')) {
    const email = /"mailto:([^"]+)"|<strong>([^<@\s]+@[^<\s]+)<\/strong>/.exec((await browser.get(`${server.url}/account/security/enrol-proof?next=passkey`)).html);
    await proveEmailInPortal(server, browser, (email?.[1] ?? email?.[2])!, 'passkey');
    page = await browser.get(`${server.url}/account/security`);
  }
  const csrf = csrfOf(page);
  const optionsPage = await browser.request(`${server.url}/account/security/passkeys/register/options`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf }).toString(), headers: { accept: 'application/json' } });
  expect(optionsPage.status, optionsPage.html).toBe(200);
  const response = authenticator.create(JSON.parse(optionsPage.html) as PublicKeyCredentialCreationOptionsJSON, server.url);
  return browser.submit(page, '/account/security/passkeys/register', { response: JSON.stringify(response) });
}

/** Posts a form to `path` with the CSRF token of `page` (for ids the page does not offer: other accounts'). */
export function postForm(server: TestServer, browser: FormBrowser, page: Page, path: string, fields: Record<string, string> = {}): Promise<Page> {
  return browser.request(`${server.url}${path}`, { method: 'POST', body: new URLSearchParams({ _csrf: csrfOf(page), ...fields }).toString() });
}
