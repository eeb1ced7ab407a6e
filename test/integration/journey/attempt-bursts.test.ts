// Every credential check through the real HTTP surface, attacked with a burst: 40 wrong attempts at
// once, then the right one in the same burst. At most the limit are compared (the attempts primitive's
// own count of verifications, and each code's attempts column), and the right one is refused.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTotpSecret } from '../../../src/authn/totp/totp.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { enterEmailAndPassword, newBrowser } from '../../support/journey.ts';
import { accessTokenFor, ageAccessTokens, callAccountApi, createPasswordAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const WRONG = 40;
const password = 'a long and unusual passphrase';
let server: TestServer;
let app: RelyingParty;
let bank: RelyingParty;

beforeAll(async () => {
  // Every request comes from 127.0.0.1: lift the per-address mail ceiling, so only per-email limits show.
  server = await startTestServer({ throttle: { codeSendsPerAddress: 1000 } });
  app = await createRelyingParty(server, { clientId: 'shop', scope: 'openid email profile account' });
  bank = await createRelyingParty(server, { clientId: 'bank', mfa: 'required' });
});
afterAll(async () => server?.stop());

const limit = () => server.config.throttle.emailAddressFailures;
const wrongCode = (right: string) => (right === '000000' ? '111111' : '000000');

/** Sends WRONG submissions and then the right one, all at once; returns the verifications run and the right one's answer. */
async function burst(kind: string, send: (right: boolean) => Promise<Page>): Promise<{ compared: number; right: Page; wrong: Page[] }> {
  const before = server.services.throttle.verificationsRun(kind);
  const pages = await Promise.all([...Array.from({ length: WRONG }, () => send(false)), send(true)]);
  return { compared: server.services.throttle.verificationsRun(kind) - before, right: pages.at(-1)!, wrong: pages.slice(0, -1) };
}

function expectRefused(result: { compared: number; right: Page; wrong: Page[] }) {
  expect(result.compared).toBeGreaterThan(0);
  expect(result.compared).toBeLessThanOrEqual(limit());
  expect(result.right.status, result.right.html.slice(0, 400)).toBe(429);
  expect(result.right.html).toContain('Too many attempts');
  expect(result.wrong.filter((page) => page.status === 429).length).toBeGreaterThanOrEqual(WRONG - limit());
}

/** The most attempts any one-time code of the flows of this interaction took. */
async function codeAttempts(page: Page): Promise<number> {
  const uid = /\/interaction\/([\w-]+)/.exec(page.url)![1]!;
  const rows = await server.services.db('one_time_codes').join('flows', 'flows.id', 'one_time_codes.flow_id')
    .where('flows.interaction_uid', uid).select('one_time_codes.attempts') as { attempts: number }[];
  return Math.max(0, ...rows.map((row) => Number(row.attempts)));
}

async function startAt(browser: FormBrowser, rp = app): Promise<Page> {
  return browser.get((await rp.authorizationUrl()).url);
}

describe('a burst of wrong attempts, then the right one', () => {
  it('password: at most the limit are checked with argon2, the right password is refused', async () => {
    await createPasswordAccount(server, 'pwd@example.com', password);
    const browser = newBrowser();
    const passwordPage = await browser.submit(await startAt(browser), '/identify', { email: 'pwd@example.com' });
    const result = await burst('password', (right) => browser.submit(passwordPage, '/password', { password: right ? password : 'not the password' }));
    expectRefused(result);
  });

  it('email-code sign-in: at most the limit of guesses are compared, the right code is refused', async () => {
    const email = 'code@example.com';
    await createPasswordAccount(server, email, password);
    const browser = newBrowser();
    const passwordPage = await browser.submit(await startAt(browser), '/identify', { email });
    const sent = await browser.submit(passwordPage, '/email-code/send', {});
    const code = codeFrom(await server.smtp.waitForMail(email, (m) => m.subject.includes('sign-in code')));
    const result = await burst('email-code', (right) => browser.submit(sent, '/email-code/verify', { code: right ? code : wrongCode(code) }));
    expectRefused(result);
    expect(await codeAttempts(sent)).toBeLessThanOrEqual(server.config.codes.maxAttempts);
  });

  it('password reset code: throttled like a password, the right code sets no password', async () => {
    const email = 'reset@example.com';
    const accountId = await createPasswordAccount(server, email, password);
    const browser = newBrowser();
    const forgot = await browser.get(`${(await startAt(browser)).url.replace(/\/?$/, '')}/forgot`);
    const sent = await browser.submit(forgot, '/forgot', { email });
    const code = codeFrom(await server.smtp.waitForMail(email, (m) => m.subject.toLowerCase().includes('reset')));
    const newPassword = 'another long and unusual passphrase';
    const result = await burst('reset-code', (right) => browser.submit(sent, '/reset', { code: right ? code : wrongCode(code), new_password: newPassword }));
    expectRefused(result);
    expect(await codeAttempts(sent)).toBeLessThanOrEqual(server.config.codes.maxAttempts);
    const account = await server.services.accounts.findAccountById(accountId);
    expect(await server.services.hasher.verify(account!.passwordHash!, password)).toBe(true);
  });

  it('sign-up code: throttled like a password, the right code makes no account', async () => {
    const email = 'signup@example.com';
    const browser = newBrowser();
    const start = await startAt(browser);
    const form = await browser.get(new URL(/href="([^"]*\/signup)"/.exec(start.html)![1]!, start.url).href);
    const sent = await browser.submit(form, '/signup', { email, password, terms: 'yes' });
    const code = codeFrom(await server.smtp.waitForMail(email, (m) => m.subject.includes('code')));
    const result = await burst('signup-code', (right) => browser.submit(sent, '/signup/verify', { code: right ? code : wrongCode(code) }));
    expectRefused(result);
    expect(await codeAttempts(sent)).toBeLessThanOrEqual(server.config.codes.maxAttempts);
    expect(await server.services.accounts.findAccountByEmail(email)).toBeUndefined();
  });
});

describe('a burst at the second factor', () => {
  /** An account with a confirmed authenticator app and recovery codes, at the second-factor page of a fresh browser. */
  async function atSecondFactor(email: string) {
    const accountId = await createPasswordAccount(server, email, password);
    const secret = newTotpSecret();
    await server.services.totp.saveConfirmed(accountId, server.services.totp.sealForAccount(accountId, secret), 0);
    await server.services.db('accounts').where({ id: accountId }).update({ mfa_enabled: true });
    const recoveryCodes = await server.services.recoveryCodes.generateRecoveryCodes(accountId);
    const browser = newBrowser();
    const page = await enterEmailAndPassword(browser, await startAt(browser, bank), email, password);
    expect(page.url).toMatch(/\/mfa$/);
    return { browser, page, secret, recoveryCodes, accountId };
  }

  it('TOTP: at most the limit of codes are checked, the right code is refused', async () => {
    const { browser, page, secret } = await atSecondFactor('totp@example.com');
    const code = TOTP.generate({ secret: Secret.fromBase32(secret) });
    const result = await burst('mfa-totp', (right) => browser.submit(page, '/mfa/totp', { code: right ? code : wrongCode(code) }));
    expectRefused(result);
  });

  it('recovery codes: at most the limit are checked, the right one is refused and stays unused', async () => {
    const { browser, page, recoveryCodes, accountId } = await atSecondFactor('recovery@example.com');
    const recoveryPage = await browser.get(`${page.url}/recovery`);
    const result = await burst('mfa-recovery', (right) => browser.submit(recoveryPage, '/mfa/recovery', { code: right ? recoveryCodes[0]! : 'aaaaa-aaaaa' }));
    expectRefused(result);
    expect(await server.services.recoveryCodes.countUnusedRecoveryCodes(accountId)).toBe(10);
  });

  it('a code by email: at most the limit of guesses are compared, the right code is refused', async () => {
    const email = 'mfa-mail@example.com';
    const { browser, page } = await atSecondFactor(email);
    const sent = await browser.submit(page, '/mfa/email/send', {});
    const code = codeFrom(await server.smtp.waitForMail(email, (m) => m.subject.includes('code')));
    const result = await burst('mfa-email', (right) => browser.submit(sent, '/mfa/email', { code: right ? code : wrongCode(code) }));
    expectRefused(result);
    expect(await codeAttempts(sent)).toBeLessThanOrEqual(server.config.codes.maxAttempts);
  });
});

describe('a burst through the Account API', () => {
  it('email change code: at most the limit of guesses are compared, the right code is refused with a JSON 429', async () => {
    const id = await createPasswordAccount(server, 'change@example.com', password);
    const { accessToken } = await accessTokenFor(app, 'change@example.com', password, 'openid account');
    await ageAccessTokens(server, id, 0);
    const started = await callAccountApi(server, '/overview/email', accessToken, { method: 'POST', body: { email: 'changed@example.com' } });
    expect(started.status).toBe(202);
    const code = codeFrom(await server.smtp.waitForMail('changed@example.com'));
    const changeId = String(started.json.change_id);
    const before = server.services.throttle.verificationsRun('email-change');
    const verify = (guess: string) => callAccountApi(server, '/overview/email/verify', accessToken, { method: 'POST', body: { change_id: changeId, code: guess } });
    const answers = await Promise.all([...Array.from({ length: WRONG }, () => verify(wrongCode(code))), verify(code)]);
    expect(server.services.throttle.verificationsRun('email-change') - before).toBeLessThanOrEqual(limit());
    expect(answers.at(-1)).toMatchObject({ status: 429, json: { error: 'too_many_attempts', message: expect.stringContaining('Too many attempts') } });
    const row = await server.services.db('one_time_codes').where({ flow_id: changeId }).first() as { attempts: number };
    expect(Number(row.attempts)).toBeLessThanOrEqual(server.config.codes.maxAttempts);
    expect((await server.services.accounts.findAccountById(id))?.email).toBe('change@example.com');
  });
});

describe('a burst against the email proof asked before a first second factor', () => {
  it('at most the limit of guesses are compared, the right code is refused, and no authenticator can be set up', async () => {
    const email = 'enrolburst@example.com';
    const accountId = await createPasswordAccount(server, email, password);
    const browser = newBrowser();
    const mfa = await enterEmailAndPassword(browser, await startAt(browser, bank), email, password);
    expect(mfa.html).toContain('Confirm it is you');
    const sent = await browser.submit(mfa, '/mfa/setup/email/send', {});
    const code = codeFrom(await server.smtp.waitForMail(email, (m) => m.subject.startsWith('Confirm it is you to set up')));
    const result = await burst('mfa-enrol', (right) => browser.submit(sent, '/mfa/setup/email', { code: right ? code : wrongCode(code) }));
    expectRefused(result);
    expect(await codeAttempts(sent)).toBeLessThanOrEqual(server.config.codes.maxAttempts);
    const setup = await browser.get(`${new URL(sent.url).origin}${/\/interaction\/[\w-]+/.exec(sent.url)![0]}/mfa/setup`);
    expect(setup.html).not.toContain('manual-key');
    expect(await server.services.totp.hasTotp(accountId)).toBe(false);
  });
});
