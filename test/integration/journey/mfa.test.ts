// The mfa prompt end to end (FormBrowser + openid-client, TOTP codes computed here with otpauth): enrolment in
// the journey, acr/amr in the ID token, code reuse, throttling, recovery codes, email codes, step-up,
// remembered devices, prompt=none and max_age.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { startServerWithBankAndShop } from '../../support/mfa.ts';
import { CALLBACK, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import type { TestServer } from '../../support/test-server.ts';

const ACR_1FA = 'urn:foyer:acr:1fa';
const ACR_2FA = 'urn:foyer:acr:2fa';
const password = 'a quiet lantern by the northern gate';

let server: TestServer;
let strict: RelyingParty;
let relaxed: RelyingParty;

beforeAll(async () => {
  ({ server, strict, relaxed } = await startServerWithBankAndShop());
});
afterAll(async () => server?.stop());

/** The TOTP code `steps` periods from now (the enrolment spends the current step). */
const totpCode = (secret: string, steps = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });
const manualKey = (page: Page) => /<code id="manual-key" class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.html)![1]!.replace(/ /g, '');
const recoveryCodesOn = (page: Page) => [...page.html.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]!);
const callbackParams = (page: Page) => new URL(page.url).searchParams;

async function finishAt(browser: FormBrowser, page: Page, app: RelyingParty, auth: Awaited<ReturnType<RelyingParty['authorizationUrl']>>) {
  const done = await consentIfAsked(browser, page);
  expect(done.url.startsWith(CALLBACK), done.html.slice(0, 500)).toBe(true);
  return (await app.exchange(done.url, auth)).claims()!;
}

/** Signs up through the strict client: the journey asks to set up TOTP right away. */
async function enrolledAccount(email: string) {
  const browser = newBrowser();
  const auth = await strict.authorizationUrl();
  const setup = await signUp(server, browser, await browser.get(auth.url), email, password);
  expect(setup.url).toMatch(/\/interaction\/[\w-]+\/mfa$/);
  expect(setup.html).toContain('Set up two-step verification');
  expect(setup.html).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,/);
  const secret = manualKey(setup);
  const codesPage = await browser.submit(setup, '/mfa/setup', { code: totpCode(secret) });
  expect(codesPage.html).toContain('Save your recovery codes');
  const recoveryCodes = recoveryCodesOn(codesPage);
  const claims = await finishAt(browser, await browser.submit(codesPage, '/mfa/continue', {}), strict, auth);
  return { browser, secret, recoveryCodes, claims, accountId: claims.sub };
}

/** A fresh browser signs in with the password and lands on the second-factor page. */
async function atSecondFactor(email: string, app = strict, params: Record<string, string> = {}) {
  const browser = newBrowser();
  const auth = await app.authorizationUrl(params);
  const page = await enterEmailAndPassword(browser, await browser.get(auth.url), email, password);
  expect(page.url).toMatch(/\/mfa$/);
  return { browser, auth, page };
}

describe('a client that requires MFA', () => {
  it('has the customer set up TOTP in the journey, shows ten recovery codes once, and issues acr 2fa with amr pwd, otp, mfa', async () => {
    const { secret, recoveryCodes, claims, accountId } = await enrolledAccount('enrol@example.com');
    expect(claims.acr).toBe(ACR_2FA);
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);

    const db = server.dbHandle.db;
    const [totp] = await db('totp_credentials').where({ account_id: accountId });
    expect(totp.confirmed_at).not.toBeNull();
    expect(totp.secret_encrypted).not.toContain(secret);
    const stored = await db('recovery_codes').where({ account_id: accountId });
    expect(stored).toHaveLength(10);
    const plain = new Set(recoveryCodes.flatMap((c) => [c, c.replace('-', '')]));
    for (const row of stored) {
      expect(row.code_hash).toMatch(/^[\w-]{43}$/);
      expect(plain.has(row.code_hash)).toBe(false);
    }
    expect((await db('accounts').where({ id: accountId }).first()).mfa_enabled).toBe(true);
    const notice = await server.smtp.waitForMail('enrol@example.com', (m) => m.subject.includes('authenticator app was added'));
    expect(notice.text).toContain('Forgot password?');

    // Later pages never show the codes again.
    const { page } = await atSecondFactor('enrol@example.com');
    expect(page.html).toContain('Code from your authenticator app');
    for (const code of recoveryCodes) expect(page.html).not.toContain(code);
  });

  it('refuses a TOTP code reused within its window, and an older one after a newer was used', async () => {
    const { secret } = await enrolledAccount('reuse@example.com');
    const next = totpCode(secret, 1);
    const first = await atSecondFactor('reuse@example.com');
    const claims = await finishAt(first.browser, await first.browser.submit(first.page, '/mfa/totp', { code: next }), strict, first.auth);
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa']));

    const second = await atSecondFactor('reuse@example.com');
    const replay = await second.browser.submit(second.page, '/mfa/totp', { code: next });
    expect(replay.status).toBe(401);
    expect(replay.html).toContain('already used');
    const older = await second.browser.submit(second.page, '/mfa/totp', { code: totpCode(secret, 0) });
    expect(older.status).toBe(401);
    expect(older.url).toMatch(/\/mfa\/totp$/);
  });

  it('refuses wrong codes and then throttles, the right code included, with "Too many attempts"', async () => {
    const { secret } = await enrolledAccount('guess@example.com');
    const { browser, page } = await atSecondFactor('guess@example.com');
    const valid = new Set([-1, 0, 1, 2].map((d) => totpCode(secret, d)));
    const wrong = ['000000', '111111', '222222'].find((c) => !valid.has(c))!;
    let answer = page;
    for (let i = 0; i < 5; i++) {
      answer = await browser.submit(page, '/mfa/totp', { code: wrong });
      expect(answer.status).toBe(401);
      expect(answer.html).toContain('That code is not right');
    }
    const locked = await browser.submit(page, '/mfa/totp', { code: totpCode(secret, 1) });
    expect(locked.status).toBe(429);
    expect(locked.html).toContain('Too many attempts');
    const malformed = await browser.submit(page, '/mfa/totp', { code: '12ab' });
    expect(malformed.status).toBe(400);
    expect(malformed.html).toContain('Enter the 6-digit code');
  });

  it('accepts a recovery code once, typed in any case and spacing, and throttles guessing', async () => {
    const { recoveryCodes, accountId } = await enrolledAccount('recover@example.com');
    const code = recoveryCodes[0]!;
    const first = await atSecondFactor('recover@example.com');
    const form = await first.browser.get(`${first.page.url}/recovery`);
    expect(form.html).toContain('Recovery code');
    const claims = await finishAt(first.browser, await first.browser.submit(form, '/mfa/recovery', { code: ` ${code.toUpperCase().replace('-', ' ')} ` }), strict, first.auth);
    expect(claims.acr).toBe(ACR_2FA);
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'mfa']));

    const second = await atSecondFactor('recover@example.com');
    const again = await second.browser.submit(await second.browser.get(`${second.page.url}/recovery`), '/mfa/recovery', { code });
    expect(again.status).toBe(401);
    expect(again.html).toContain('already used');
    let answer = again;
    for (let i = 0; i < 5; i++) answer = await second.browser.submit(again, '/mfa/recovery', { code: 'aaaaa-bbbbb' });
    expect(answer.status).toBe(429);
    expect(answer.html).toContain('Too many attempts');
    expect(await server.services.recoveryCodes.countUnusedRecoveryCodes(accountId)).toBe(9);
  });

  it('regenerates recovery codes: the old ones stop working', async () => {
    const { recoveryCodes, accountId } = await enrolledAccount('regen@example.com');
    const fresh = await server.services.recoveryCodes.generateRecoveryCodes(accountId);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false);
    const address = '203.0.113.9';
    expect((await server.services.recoveryCodes.useRecoveryCode({ accountId, code: recoveryCodes[1]!, address })).status).toBe('invalid');
    expect((await server.services.recoveryCodes.useRecoveryCode({ accountId, code: fresh[1]!, address })).status).toBe('ok');
    expect((await server.services.recoveryCodes.useRecoveryCode({ accountId, code: fresh[1]!, address })).status).toBe('invalid');
  });

  it('needs the CSRF field on every second-factor form', async () => {
    const { browser, page } = await atSecondFactor('enrol@example.com');
    const refused = await browser.submit(page, '/mfa/totp', { code: '123456' }, { omitCsrf: true });
    expect(refused.status).toBe(403);
  });
});

async function accountIdOf(email: string): Promise<string> {
  return (await server.services.accounts.findAccountByEmail(email))!.id;
}

describe('step-up and re-authentication', () => {
  it('a client that does not require MFA signs a password-only account in with acr 1fa; prompt=none for the strict client gets interaction_required', async () => {
    const browser = newBrowser();
    const auth = await relaxed.authorizationUrl();
    const claims = await finishAt(browser, await signUp(server, browser, await browser.get(auth.url), 'stepup@example.com', password), relaxed, auth);
    expect(claims.acr).toBe(ACR_1FA);
    expect(claims.amr).toEqual(['pwd']);

    const silent = await browser.get((await strict.authorizationUrl({ prompt: 'none' })).url);
    expect(callbackParams(silent).get('error')).toBe('interaction_required');
    const silentStepUp = await browser.get((await relaxed.authorizationUrl({ prompt: 'none', acr_values: ACR_2FA })).url);
    expect(callbackParams(silentStepUp).get('error')).toBe('interaction_required');
  });

  it('acr_values=urn:foyer:acr:2fa on an SSO session asks for a second factor only (here an emailed code), then issues acr 2fa', async () => {
    const browser = newBrowser();
    const first = await relaxed.authorizationUrl();
    await finishAt(browser, await enterEmailAndPassword(browser, await browser.get(first.url), 'stepup@example.com', password), relaxed, first);

    const auth = await relaxed.authorizationUrl({ acr_values: ACR_2FA });
    const page = await browser.get(auth.url);
    expect(page.url).toMatch(/\/mfa$/);
    expect(page.html).not.toContain('name="password"');
    expect(page.html).toContain('asks you to confirm it is you');
    expect(page.html).toContain('Email me a code instead');
    const sent = await browser.submit(page, '/mfa/email/send', {});
    expect(sent.html).toContain('Check your email');
    const mail = await server.smtp.waitForMail('stepup@example.com', (m) => m.subject.includes('verification code'));
    const wrong = codeFrom(mail) === '000000' ? '111111' : '000000';
    const refused = await browser.submit(sent, '/mfa/email', { code: wrong });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('That code is not right');
    const claims = await finishAt(browser, await browser.submit(sent, '/mfa/email', { code: codeFrom(mail) }), relaxed, auth);
    expect(claims.acr).toBe(ACR_2FA);
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    // Setting up TOTP was offered, not forced: the account's MFA switch stays off.
    expect(await server.services.totp.hasTotp(claims.sub)).toBe(false);

    // The session is two-factor now: another step-up passes without a page.
    const again = await relaxed.authorizationUrl({ acr_values: ACR_2FA });
    const claims2 = await finishAt(browser, await browser.get(again.url), relaxed, again);
    expect(claims2.acr).toBe(ACR_2FA);
  });

  it('max_age=0 and prompt=login ask for the password again, and then the second factor again', async () => {
    const { browser, secret } = await enrolledAccount('maxage@example.com');
    for (const params of [{ max_age: '0' }, { prompt: 'login' }] as Record<string, string>[]) {
      const auth = await strict.authorizationUrl(params);
      const start = await browser.get(auth.url);
      expect(start.html).toContain('name="email"');
      const mfa = await enterEmailAndPassword(browser, start, 'maxage@example.com', password);
      expect(mfa.url).toMatch(/\/mfa$/);
      await server.dbHandle.db('totp_credentials').where({ account_id: await accountIdOf('maxage@example.com') }).update({ last_used_step: null });
      const claims = await finishAt(browser, await browser.submit(mfa, '/mfa/totp', { code: totpCode(secret) }), strict, auth);
      expect(claims.acr).toBe(ACR_2FA);
      expect(claims.auth_time).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) - 5);
    }
  });
});

describe('remember this device', () => {
  it('skips the second factor for an MFA-required client on the next sign-in, never for acr_values=2fa, and stops once revoked', async () => {
    const { secret, accountId } = await enrolledAccount('remember@example.com');
    const { browser, page, auth } = await atSecondFactor('remember@example.com');
    expect(page.html).toContain('Remember this device for 30 days');
    await finishAt(browser, await browser.submit(page, '/mfa/totp', { code: totpCode(secret, 1), remember: 'yes' }), strict, auth);
    const cookie = browser.cookie('foyer.mfa_device');
    expect(cookie).toBeDefined();
    expect(JSON.stringify(await server.dbHandle.db('remembered_devices').where({ account_id: accountId }))).not.toContain(cookie!);

    // A new sign-in (password again) on this device: no second-factor page, and an honest acr 1fa.
    const next = await strict.authorizationUrl({ prompt: 'login' });
    const landed = await enterEmailAndPassword(browser, await browser.get(next.url), 'remember@example.com', password);
    const claims = await finishAt(browser, landed, strict, next);
    expect(claims.acr).toBe(ACR_1FA);
    expect(claims.amr).toEqual(['pwd']);

    // An explicit step-up is never skipped.
    const stepUp = await browser.get((await strict.authorizationUrl({ acr_values: ACR_2FA })).url);
    expect(stepUp.url).toMatch(/\/mfa$/);

    // Revoked, the device no longer counts.
    const devices = await server.services.rememberedDevices.listRememberedDevices(accountId);
    expect(devices).toHaveLength(1);
    expect(await server.services.rememberedDevices.revokeRememberedDevice(accountId, devices[0]!.id)).toBe(true);
    expect(await server.services.rememberedDevices.revokeRememberedDevice(accountId, devices[0]!.id)).toBe(false);
    const after = await strict.authorizationUrl({ prompt: 'login' });
    const asked = await enterEmailAndPassword(browser, await browser.get(after.url), 'remember@example.com', password);
    expect(asked.url).toMatch(/\/mfa$/);
  });

  it('does not carry over to another account in the same browser', async () => {
    const owner = await enrolledAccount('device-owner@example.com');
    const other = await enrolledAccount('device-other@example.com');
    const token = (await server.services.rememberedDevices.rememberDevice(owner.accountId, 'test')).token;
    expect(await server.services.rememberedDevices.isRememberedDevice(owner.accountId, token)).toBe(true);
    expect(await server.services.rememberedDevices.isRememberedDevice(other.accountId, token)).toBe(false);
    expect(await server.services.rememberedDevices.isRememberedDevice(owner.accountId, 'not-a-token')).toBe(false);
  });
});

describe('discovery and the client registry', () => {
  it('advertises both acr values', async () => {
    const discovery = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json() as { acr_values_supported: string[] };
    expect(discovery.acr_values_supported).toEqual([ACR_1FA, ACR_2FA]);
  });

  it('foyer clients add --mfa sets the client policy and refuses other values', async () => {
    const added = await runCommand(['clients', 'add', '--client-id', 'vault', '--redirect-uri', CALLBACK, '--mfa', 'required', '--json'], { services: server.services });
    expect(added.exitCode, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ client_id: 'vault', mfa: 'required' });
    expect((await server.services.clients.showClient('shop'))!.mfa).toBe('optional');
    const bad = await runCommand(['clients', 'add', '--client-id', 'vault2', '--redirect-uri', CALLBACK, '--mfa', 'sometimes'], { services: server.services });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('--mfa');
  });
});
