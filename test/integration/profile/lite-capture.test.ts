// The first handshake: the hosted form (framable only by its client's origins) and the API (a
// client-credentials token with the capture scope) capture an email, a name and a purpose consent without a
// password; a mailed link confirms it into a lite account; its first sign-in (email code; password sign-up
// then passkey) keeps the same subject; mail-bombing limits per email, address and client.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLiteCapture } from '../../../src/flows/lite-capture.ts';
import { createConsentQueries } from '../../../src/consent/queries.ts';
import { createProfileQueries } from '../../../src/profile/queries.ts';
import { createThrottleQueries } from '../../../src/security/throttle.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { consentIfAsked, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom, type CapturedMail } from '../../support/smtp-capture.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
let crm: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer({ capture: { perEmail: 3 }, throttle: { codeSendsPerAddress: 1000 } });
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
  await server.services.clients.addClient({ clientId: 'news', name: 'Brand News', public: true, redirectUris: ['https://brand.example/cb'], scope: 'openid email capture' });
  await server.services.clients.addClient({ clientId: 'plain', name: 'Plain', public: true, redirectUris: ['https://plain.example/cb'], scope: 'openid email' });
  crm = await createRelyingParty(server, { clientId: 'crm', name: 'Brand CRM', grantTypes: ['client_credentials'], redirectUris: [], scope: 'capture' });
});
afterAll(async () => server?.stop());

const confirmMail = (email: string) => server.smtp.waitForMail(email, (m) => m.subject.includes('Confirm your email'));
const linkFrom = (mail: CapturedMail) => /(http:\/\/\S+\/capture\/confirm\/[\w-]+)/.exec(mail.text)![1]!;

async function confirm(browser: FormBrowser, mail: CapturedMail): Promise<Page> {
  const page = await browser.get(linkFrom(mail));
  expect(page.html).toContain('Confirm your email');
  return browser.submit(page, '/capture/confirm/', {});
}

async function captureToken(rp: RelyingParty = crm): Promise<string> {
  return (await oidc.clientCredentialsGrant(rp.config, { scope: 'capture', resource: `${server.url}/api/capture` })).access_token;
}

const postCapture = (token: string | undefined, body: unknown) => fetch(`${server.url}/api/capture`, {
  method: 'POST', body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
});

/** Email-code sign-in to the app, through terms and consent; returns the subject. */
async function signInByEmailCode(email: string): Promise<string> {
  const browser = newBrowser();
  const auth = await app.authorizationUrl();
  const passwordPage = await browser.submit(await browser.get(auth.url), '/identify', { email });
  const sent = await browser.submit(passwordPage, '/email-code/send', {});
  const mail = await server.smtp.waitForMail(email, (m) => m.subject.includes('sign-in code'));
  let page = await browser.submit(sent, '/email-code/verify', { code: codeFrom(mail) });
  if (page.html.includes('/terms"')) page = await browser.submit(page, '/terms', { accept: 'yes' });
  page = await consentIfAsked(browser, page);
  expect(page.url.startsWith(CALLBACK), page.html.slice(0, 400)).toBe(true);
  return (await app.exchange(page.url, auth)).claims()!.sub;
}

describe('the hosted capture page', () => {
  const email = 'nora@example.com';

  it('is framable only by the client\'s own origins, and only for clients allowed to capture', async () => {
    const res = await fetch(`${server.url}/capture?client_id=news&purpose=newsletter`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors https://brand.example');
    expect(res.headers.get('x-frame-options')).toBeNull();
    const html = await res.text();
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('Send me news and offers by email (Brand News)');
    expect((await fetch(`${server.url}/interaction/x`)).headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    for (const query of ['client_id=plain', 'client_id=nobody', 'client_id=news&purpose=unknown']) {
      const refused = await fetch(`${server.url}/capture?${query}`);
      expect(refused.status, query).toBe(400);
      expect(await refused.text()).toContain('This sign-up form is not available.');
    }
  });

  it('keeps the input on errors, refuses a post without the form token, and creates nothing before the link', async () => {
    const browser = newBrowser();
    const form = await browser.get(`${server.url}/capture?client_id=news`);
    const noConsent = await browser.submit(form, '/capture', { email, given_name: 'Nora' });
    expect(noConsent.status).toBe(400);
    expect(noConsent.html).toContain('value="nora@example.com"');
    expect(noConsent.html).toContain('value="Nora"');
    expect(noConsent.html).toContain('Tick the box to agree');
    const forged = await browser.request(`${server.url}/capture`, { method: 'POST', body: new URLSearchParams({ client_id: 'news', purpose: 'newsletter', email, consent: 'yes', form_token: '1.abc' }).toString() });
    expect(forged.status).toBe(403);

    const sent = await browser.submit(form, '/capture', { email, given_name: 'Nora', consent: 'yes' });
    expect(sent.html).toContain('Check your email');
    const mail = await confirmMail(email);
    expect(mail.text).toContain('Brand News');
    expect(await server.services.accounts.findAccountByEmail(email)).toBeUndefined();

    const done = await confirm(browser, mail);
    expect(done.html).toContain('Your email is confirmed');
    const account = (await server.services.accounts.findAccountByEmail(email))!;
    expect(account).toMatchObject({ status: 'lite', emailVerified: true, passwordHash: null });
    expect(await server.dbHandle.db('profile_values').where({ account_id: account.id }).select('field', 'source', 'client_id')).toEqual([{ field: 'given_name', source: 'customer', client_id: 'news' }]);
    const records = await server.dbHandle.db('consent_records').where({ account_id: account.id, subject_kind: 'purpose' });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ subject_ref: 'newsletter', action: 'grant', legal_basis: 'consent', channel: 'capture-page', client_id: 'news' });
    expect((await server.services.events.listEventsOfAccount(account.id)).map((e) => e.type)).toEqual(expect.arrayContaining(['account.captured', 'consent.granted', 'profile.updated']));
    // The link works once.
    const again = await browser.get(linkFrom(mail));
    expect(again.status).toBe(400);
    expect(again.html).toContain('This link has expired');
  });

  it('its first sign-in by email code activates the same account, keeps its data and gives it no password', async () => {
    const before = (await server.services.accounts.findAccountByEmail(email))!;
    const sub = await signInByEmailCode(email);
    expect(sub).toBe(before.id);
    expect(await server.services.accounts.findAccountByEmail(email)).toMatchObject({ id: before.id, status: 'active', passwordHash: null });
    expect((await server.services.accounts.findAccountWithProfile(before.id))!.profile).toEqual({ given_name: 'Nora' });
  });

  it('limits mails per email address', async () => {
    const browser = newBrowser();
    const target = 'flooded@example.com';
    for (let i = 0; i < 3; i++) {
      const form = await browser.get(`${server.url}/capture?client_id=news`);
      expect((await browser.submit(form, '/capture', { email: target, consent: 'yes' })).status).toBe(200);
    }
    const form = await browser.get(`${server.url}/capture?client_id=news`);
    const refused = await browser.submit(form, '/capture', { email: target, consent: 'yes' });
    expect(refused.status).toBe(429);
    expect(refused.html).toContain('Too many attempts');
  });
});

describe('the capture API', () => {
  it('refuses requests without a capture token, with a token for another audience, and bad bodies, in JSON', async () => {
    const none = await postCapture(undefined, { email: 'x@example.com', purpose: 'newsletter' });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'invalid_token' });
    const opaque = (await oidc.clientCredentialsGrant(crm.config, {})).access_token;
    expect((await postCapture(opaque, { email: 'x@example.com', purpose: 'newsletter' })).status).toBe(401);
    // A valid token for this API asked for without the capture scope: 403 insufficient_scope (RFC 6750), not 401.
    const unscoped = (await oidc.clientCredentialsGrant(crm.config, { resource: `${server.url}/api/capture` })).access_token;
    const refused = await postCapture(unscoped, { email: 'x@example.com', purpose: 'newsletter' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="capture"');
    expect(await refused.json()).toMatchObject({ error: 'insufficient_scope' });
    const token = await captureToken();
    const bad = await postCapture(token, { email: 'not-an-email', purpose: 'newsletter' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', message: expect.stringContaining('email') });
    expect((await postCapture(token, { email: 'x@example.com', purpose: 'nope' })).status).toBe(400);
    expect((await postCapture(token, { email: 'x@example.com', purpose: 'newsletter', password: 'x' })).status).toBe(400);
  });

  it('a client without the capture scope gets no token for it', async () => {
    const other = await createRelyingParty(server, { clientId: 'reporting', grantTypes: ['client_credentials'], redirectUris: [], scope: 'read' });
    await expect(captureToken(other)).rejects.toMatchObject({ error: expect.stringMatching(/invalid_target|invalid_scope/) });
  });

  it('captures with provenance api; then password sign-up and a passkey keep the same subject', async () => {
    const email = 'omar@example.com';
    const res = await postCapture(await captureToken(), { email, given_name: 'Omar', family_name: 'Haddad', purpose: 'newsletter' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'pending_confirmation' });
    await confirm(newBrowser(), await confirmMail(email));
    const lite = (await server.services.accounts.findAccountByEmail(email))!;
    expect(lite.status).toBe('lite');
    const values = await server.dbHandle.db('profile_values').where({ account_id: lite.id }).orderBy('field').select('field', 'source', 'client_id');
    expect(values).toEqual([{ field: 'family_name', source: 'api', client_id: 'crm' }, { field: 'given_name', source: 'api', client_id: 'crm' }]);
    expect(await server.dbHandle.db('consent_records').where({ account_id: lite.id, subject_kind: 'purpose', channel: 'capture-api' })).toHaveLength(1);

    // Password sign-up on the lite account: the same account gets its password, then a passkey offered and registered.
    const browser = newBrowser();
    const auth = await app.authorizationUrl();
    const start = await browser.get(auth.url);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(start.html)![1]!;
    const interaction = /^(.*\/interaction\/[^/?]+)/.exec(start.url)![1]!;
    await browser.request(`${interaction}/passkey/capable`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf }).toString(), headers: { accept: 'application/json' } });
    const offer = await signUp(server, browser, start, email, password);
    expect(offer.url).toMatch(/\/passkey\/offer$/);
    const authenticator = createSoftAuthenticator();
    const options = JSON.parse((await browser.request(`${interaction}/passkey/register/options`, { method: 'POST', body: new URLSearchParams({ _csrf: csrf }).toString(), headers: { accept: 'application/json' } })).html);
    const afterOffer = await consentIfAsked(browser, await browser.submit(offer, '/passkey/register', { response: JSON.stringify(authenticator.create(options, server.url)) }));
    expect((await app.exchange(afterOffer.url, auth)).claims()!.sub).toBe(lite.id);

    // A passkey sign-in, without an email typed, is the same subject with the captured data.
    const second = newBrowser();
    const passkeyAuth = await app.authorizationUrl();
    const page = await second.get(passkeyAuth.url);
    const secondCsrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const secondInteraction = /^(.*\/interaction\/[^/?]+)/.exec(page.url)![1]!;
    const request = JSON.parse((await second.request(`${secondInteraction}/passkey/authenticate/options`, { method: 'POST', body: new URLSearchParams({ _csrf: secondCsrf }).toString(), headers: { accept: 'application/json' } })).html);
    const done = await consentIfAsked(second, await second.submit(page, '/passkey/authenticate', { response: JSON.stringify(authenticator.get(request, server.url)) }));
    const tokens = await app.exchange(done.url, passkeyAuth);
    expect(tokens.claims()!.sub).toBe(lite.id);
    expect(await oidc.fetchUserInfo(app.config, tokens.access_token, lite.id)).toMatchObject({ given_name: 'Omar', family_name: 'Haddad', email, email_verified: true });
    expect(await server.services.accounts.findAccountByEmail(email)).toMatchObject({ id: lite.id, status: 'active' });
  });
});

describe('mail-bombing limits per address and per client', () => {
  const capture = (settings: { perAddress: number; perClient: number }) => createLiteCapture({
    db: server.dbHandle.db, flows: server.services.flows, accounts: server.services.accounts, consent: createConsentQueries(server.dbHandle.db),
    profileValues: createProfileQueries(server.dbHandle.db), events: server.services.events, throttle: createThrottleQueries(server.dbHandle.db),
    mailer: server.services.mailer, brands: server.services.brands, hashKey: Buffer.alloc(32, 7), confirmBaseUrl: `${server.url}/capture/confirm/`,
    settings: { ...server.config.capture, perEmail: 100, ...settings },
  });
  const attempt = (lite: ReturnType<typeof capture>, i: number, over: { address?: string; clientId?: string }) => lite.startCapture({
    email: `bomb${i}@example.com`, purpose: 'newsletter', clientId: over.clientId ?? `client-${i}`, clientName: 'X', address: over.address ?? `198.51.100.${i}`, channel: 'capture-api',
  });

  it('refuses an address past its ceiling, whatever the emails and clients', async () => {
    const lite = capture({ perAddress: 2, perClient: 100 });
    expect(await attempt(lite, 1, { address: '203.0.113.9' })).toEqual({ status: 'sent' });
    expect(await attempt(lite, 2, { address: '203.0.113.9' })).toEqual({ status: 'sent' });
    expect(await attempt(lite, 3, { address: '203.0.113.9' })).toMatchObject({ status: 'throttled' });
    expect(await attempt(lite, 4, { address: '203.0.113.10' })).toEqual({ status: 'sent' });
  });

  it('refuses a client past its ceiling, whatever the addresses', async () => {
    const lite = capture({ perAddress: 100, perClient: 2 });
    expect(await attempt(lite, 11, { clientId: 'busy' })).toEqual({ status: 'sent' });
    expect(await attempt(lite, 12, { clientId: 'busy' })).toEqual({ status: 'sent' });
    expect(await attempt(lite, 13, { clientId: 'busy' })).toMatchObject({ status: 'throttled' });
    expect(await attempt(lite, 14, { clientId: 'calm' })).toEqual({ status: 'sent' });
  });
});
