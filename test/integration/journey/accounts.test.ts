// Sign-up for known emails, password reset, throttling, and terms: the CONTRACT's enumeration-safe journey.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile offline_access' });
});
afterAll(async () => server?.stop());

async function registered(email: string) {
  const browser = newBrowser();
  const auth = await app.authorizationUrl();
  const callback = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), email, password));
  expect(callback.url.startsWith(CALLBACK)).toBe(true);
  return { browser, tokens: await app.exchange(callback.url, auth) };
}

describe('sign-up with an email that already has an account', () => {
  it('shows the same pages, mails the owner to sign in instead, and makes no second account', async () => {
    await registered('owner@example.com');
    const accountsBefore = Number((await server.dbHandle.db('accounts').count('* as n'))[0]!.n);
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    const form = await browser.get(`${first.url}/signup`);
    const sent = await browser.submit(form, '/signup', { email: 'owner@example.com', password: 'another long passphrase', terms: 'yes' });
    const fresh = await browser.submit(await browser.get(`${first.url}/signup`), '/signup', { email: 'newcomer@example.com', password: 'another long passphrase', terms: 'yes' });
    const strip = (html: string) => html.replace(/owner@example\.com|newcomer@example\.com/g, 'EMAIL').replace(/value="[^"]+"/g, '');
    expect(strip(sent.html)).toBe(strip(fresh.html));
    const mail = await server.smtp.waitForMail('owner@example.com', (m) => m.subject.includes('already have'));
    expect(mail.text).toContain('Forgot password?');
    expect(mail.text).not.toMatch(/\b\d{6}\b/);
    const guess = await browser.submit(sent, '/signup/verify', { code: '123456' });
    expect(guess.html).toContain('That code is not right');
    expect(Number((await server.dbHandle.db('accounts').count('* as n'))[0]!.n)).toBe(accountsBefore);
  });
});

describe('sign-up codes', () => {
  it('stop working after too many wrong guesses', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    const sent = await browser.submit(await browser.get(`${first.url}/signup`), '/signup', { email: 'guesser@example.com', password, terms: 'yes' });
    const mail = await server.smtp.waitForMail('guesser@example.com');
    const wrong = codeFrom(mail) === '000000' ? '111111' : '000000';
    let page = sent;
    for (let i = 0; i < 5; i++) page = await browser.submit(sent, '/signup/verify', { code: wrong });
    expect(page.html).toContain('Too many wrong codes');
    // Sign-up codes are throttled like passwords too: past the limit even the right code is refused.
    const right = await browser.submit(sent, '/signup/verify', { code: codeFrom(mail) });
    expect(right.status).toBe(429);
    expect(right.html).toContain('Too many attempts');
    expect(await server.services.accounts.findAccountByEmail('guesser@example.com')).toBeUndefined();
  });
});

describe('password reset', () => {
  it('answers the same for unknown emails and mails a code only to real accounts', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    const forgot = await browser.get(`${first.url}/forgot`);
    const unknown = await browser.submit(forgot, '/forgot', { email: 'ghost@example.com' });
    expect(unknown.html).toContain('name="code"');
    expect(unknown.html).toContain('name="new_password"');
    const bad = await browser.submit(unknown, '/reset', { code: '123456', new_password: 'a brand new passphrase' });
    expect(bad.html).toContain('That code is not right');
    await new Promise((r) => setTimeout(r, 300));
    expect(server.smtp.mails.some((m) => m.to.includes('ghost@example.com'))).toBe(false);
  });

  it('sets a new password, signs the customer in, and ends every other session', async () => {
    const { browser: other } = await registered('resetter@example.com');
    const browser = newBrowser();
    const auth = await app.authorizationUrl();
    const first = await browser.get(auth.url);
    const passwordPage = await browser.submit(first, '/identify', { email: 'resetter@example.com' });
    expect(passwordPage.html).toContain('Forgot password?');
    const sent = await browser.submit(await browser.get(`${first.url}/forgot`), '/forgot', { email: 'resetter@example.com' });
    const mail = await server.smtp.waitForMail('resetter@example.com', (m) => m.subject.includes('reset'));
    const done = await consentIfAsked(browser, await browser.submit(sent, '/reset', { code: codeFrom(mail), new_password: 'a brand new passphrase' }));
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    await app.exchange(done.url, auth);
    // The other browser lost its session: it is asked who it is again.
    const again = await other.get((await app.authorizationUrl()).url);
    expect(again.html).toContain('name="email"');
    // Old password out, new password in.
    const b2 = newBrowser();
    const oldTry = await enterEmailAndPassword(b2, await b2.get((await app.authorizationUrl()).url), 'resetter@example.com', password);
    expect(oldTry.html).toContain('Incorrect email or password.');
    const newTry = await b2.submit(oldTry, '/password', { password: 'a brand new passphrase' });
    expect(newTry.url.startsWith(CALLBACK)).toBe(true);
  });
});

describe('throttling', () => {
  it('refuses an email after repeated failures from one address, even with the right password, whether or not the account exists', async () => {
    await registered('target@example.com');
    for (const email of ['target@example.com', 'nobody-here@example.com']) {
      const browser = newBrowser();
      let page = await browser.submit(await browser.get((await app.authorizationUrl()).url), '/identify', { email });
      for (let i = 0; i < 5; i++) page = await browser.submit(page, '/password', { password: `wrong guess number ${i}` });
      expect(page.html).toContain('Incorrect email or password.');
      const locked = await browser.submit(page, '/password', { password });
      expect(locked.status).toBe(429);
      expect(locked.html).toContain('Too many attempts');
    }
  });

  it('stores throttle keys as hashes, never the email', async () => {
    const rows = await server.dbHandle.db('throttles').select('key');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.key).not.toContain('@');
  });
});

describe('terms', () => {
  it('records acceptance at sign-up and asks again when a new material version is published', async () => {
    const { browser, tokens } = await registered('terms@example.com');
    const sub = tokens.claims()!.sub;
    const records = await server.dbHandle.db('consent_records').where({ account_id: sub, subject_kind: 'document' });
    expect(records.map((r) => r.subject_ref)).toEqual(['terms@1']);
    await server.dbHandle.db('consent_document_versions').insert({ document_id: 'terms', version: '2', material: true });
    const asked = await browser.get((await app.authorizationUrl()).url);
    expect(asked.html).toContain('Our terms have changed');
    const refused = await browser.submit(asked, '/terms', {});
    expect(refused.html).toContain('accept the terms');
    const done = await browser.submit(asked, '/terms', { accept: 'yes' });
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const editorial = newBrowser();
    await server.dbHandle.db('consent_document_versions').insert({ document_id: 'terms', version: '2.1', material: false });
    const next = await enterEmailAndPassword(editorial, await editorial.get((await app.authorizationUrl()).url), 'terms@example.com', password);
    expect(next.url.startsWith(CALLBACK)).toBe(true);
  });

  it('a prompt=none request for a customer with pending terms gets interaction_required', async () => {
    await server.dbHandle.db('consent_document_versions').insert({ document_id: 'terms', version: '3', material: true });
    const { browser } = { browser: newBrowser() };
    const auth = await app.authorizationUrl();
    const page = await enterEmailAndPassword(browser, await browser.get(auth.url), 'terms@example.com', password);
    expect(page.html).toContain('Our terms have changed');
    const silent = await browser.get((await app.authorizationUrl({ prompt: 'none' })).url);
    expect(new URL(silent.url).searchParams.get('error')).toMatch(/interaction_required|login_required/);
  });
});

describe('consent-scoped claims', () => {
  it('releases only the claims of the scopes the customer granted', async () => {
    const browser = newBrowser();
    const auth = await app.authorizationUrl({ scope: 'openid email profile' });
    const consentPage = await signUp(server, browser, await browser.get(auth.url), 'scoped@example.com', password);
    await server.dbHandle.db('profile_values').insert({
      account_id: (await server.services.accounts.findAccountByEmail('scoped@example.com'))!.id, field: 'given_name', value: JSON.stringify('Grace'), source: 'customer',
    });
    const callback = await browser.submit(consentPage, '/consent', { scope: ['email'] });
    const tokens = await app.exchange(callback.url, auth);
    const info = await oidc.fetchUserInfo(app.config, tokens.access_token, tokens.claims()!.sub);
    expect(info.email).toBe('scoped@example.com');
    expect(info.given_name).toBeUndefined();
    expect(tokens.scope?.split(' ')).not.toContain('profile');
    // Declined scopes are on record: the next sign-in does not ask again.
    const again = await browser.get((await app.authorizationUrl({ scope: 'openid email profile' })).url);
    expect(again.url.startsWith(CALLBACK)).toBe(true);
  });
});

describe('password hashes', () => {
  it('are upgraded at sign-in when the argon2 parameters changed', async () => {
    const { createPasswordHasher } = await import('../../../src/security/password-hasher.ts');
    const older = await createPasswordHasher({ memoryCost: 8192, timeCost: 3, parallelism: 1 }).hash(password);
    await server.services.accounts.insertAccount({ email: 'legacy@example.com', status: 'active', passwordHash: older, emailVerified: true });
    const browser = newBrowser();
    const page = await consentIfAsked(browser, await enterEmailAndPassword(browser, await browser.get((await app.authorizationUrl()).url), 'legacy@example.com', password));
    expect(page.html + page.url).not.toContain('Incorrect');
    const stored = (await server.services.accounts.findAccountByEmail('legacy@example.com'))!.passwordHash!;
    expect(stored).not.toBe(older);
    expect(stored).toContain('m=8192,t=1,p=1');
  });
});
