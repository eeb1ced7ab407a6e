// Linking an upstream identity to an existing account needs the account's whole proof: its password or a
// code mailed to its address, then its second factor when it has one. Nothing is linked before that.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTotpSecret } from '../../../src/authn/totp/totp.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startAtUpstream, startUpstream, UPSTREAM_CLIENT, type Upstream } from './upstream.ts';

let upstream: Upstream;
let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';
const totpSecrets = new Map<string, string>();

beforeAll(async () => {
  upstream = await startUpstream({
    mfaowner: { email: 'mfa-owner@example.com', email_verified: true, given_name: 'Mia' },
    nopassword: { email: 'no-password@example.com', email_verified: true },
    lite: { email: 'lite@example.com', email_verified: true },
    codemfa: { email: 'code-mfa@example.com', email_verified: true },
    remembered: { email: 'remembered@example.com', email_verified: true },
    forger: { email: 'lite@example.com', email_verified: true },
    burster: { email: 'burst-link@example.com', email_verified: true },
  });
  server = await startTestServer({
    outboundAllowPrivate: true,
    connectors: [{ id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email', 'profile'], enabled: true }],
  });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
  const { accounts, hasher, totp } = server.services;
  for (const email of ['mfa-owner@example.com', 'code-mfa@example.com', 'remembered@example.com']) {
    const account = await accounts.insertAccount({ email, status: 'active', passwordHash: await hasher.hash(password), emailVerified: true });
    const secret = newTotpSecret();
    await totp.saveConfirmed(account.id, totp.sealForAccount(account.id, secret), Math.floor(Date.now() / 30_000) - 5);
    await server.dbHandle.db('accounts').where({ id: account.id }).update({ mfa_enabled: true });
    totpSecrets.set(email, secret);
  }
  await accounts.insertAccount({ email: 'no-password@example.com', status: 'active', passwordHash: null, emailVerified: true });
  await accounts.insertAccount({ email: 'burst-link@example.com', status: 'active', passwordHash: null, emailVerified: true });
  await accounts.insertAccount({ email: 'lite@example.com', status: 'lite', passwordHash: null, emailVerified: false });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

const identities = (subject: string) => server.dbHandle.db('federated_identities').where({ connector: 'social', subject });
const totpCode = (email: string) => TOTP.generate({ secret: Secret.fromBase32(totpSecrets.get(email)!) });

async function mailedLinkCode(browser: FormBrowser, page: Page, email: string): Promise<{ page: Page; code: string }> {
  const before = server.smtp.mails.filter((m) => m.to.includes(email)).length;
  const sent = await browser.submit(page, '/federation/link/send-code', {});
  expect(sent.status).toBe(200);
  expect(sent.html).toContain(`We sent a 6-digit code to ${email}`);
  await server.smtp.waitForMail(email, () => server.smtp.mails.filter((m) => m.to.includes(email)).length > before);
  const mail = server.smtp.mails.filter((m) => m.to.includes(email)).at(-1)!;
  expect(mail.subject).toContain('code to link Social');
  return { page: sent, code: codeFrom(mail) };
}

async function finishAtApp(browser: FormBrowser, page: Page, auth: Awaited<ReturnType<RelyingParty['authorizationUrl']>>) {
  const callback = await throughPrompts(browser, page);
  expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 600)).toBe(true);
  return (await app.exchange(callback.url, auth)).claims()!;
}

describe('an account with two-step verification', () => {
  it('is linked only after its password and then its TOTP code, never after the password alone', async () => {
    const { browser, auth, back } = await startAtUpstream(app, 'mfaowner');
    expect(back.url).toContain('/federation/link');
    const secondStep = await browser.submit(back, '/federation/link', { password });
    expect(secondStep.url).toMatch(/\/mfa$/);
    expect(secondStep.html).toContain('To link your account, confirm it is you with your second step.');
    expect(await identities('mfaowner')).toHaveLength(0);

    const wrong = await browser.submit(secondStep, '/mfa/totp', { code: totpCode('mfa-owner@example.com') === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(await identities('mfaowner')).toHaveLength(0);

    // The link is made; the import page follows the second factor, then the sign-in ends with both factors.
    const importPage = await browser.submit(wrong, '/mfa/totp', { code: totpCode('mfa-owner@example.com') });
    expect(importPage.url).toContain('/federation/import');
    expect(await identities('mfaowner')).toHaveLength(1);
    const claims = await finishAtApp(browser, await browser.submit(importPage, '/federation/import', { given_name: 'yes' }), auth);
    const owner = await server.services.accounts.findAccountByEmail('mfa-owner@example.com');
    expect(claims.sub).toBe(owner!.id);
    expect(claims.acr).toBe('urn:foyer:acr:2fa');
    expect(claims.amr).toEqual(expect.arrayContaining(['pwd', 'otp', 'mfa', 'fed']));
    expect(await identities('mfaowner')).toMatchObject([{ account_id: owner!.id }]);
    expect(await server.dbHandle.db('events').where({ type: 'federation.identity_linked', account_id: owner!.id })).toHaveLength(1);
    expect(await server.dbHandle.db('profile_values').where({ account_id: owner!.id, field: 'given_name' })).toMatchObject([{ value: 'Mia', source: 'social:social' }]);
  });

  it('asks the second factor for a link even on a remembered device, and a mailed code is not a second factor after a mailed code', async () => {
    const { browser, back } = await startAtUpstream(app, 'codemfa');
    const { page, code } = await mailedLinkCode(browser, back, 'code-mfa@example.com');
    const secondStep = await browser.submit(page, '/federation/link/code', { code });
    expect(secondStep.url).toMatch(/\/mfa$/);
    expect(secondStep.html).toContain('/mfa/totp"');
    expect(secondStep.html).not.toContain('/mfa/email/send"');
    expect(await identities('codemfa')).toHaveLength(0);

    // The same account's device remembered for sign-ins: the link still asks.
    const account = await server.services.accounts.findAccountByEmail('remembered@example.com');
    const { token } = await server.services.rememberedDevices.rememberDevice(account!.id, 'test');
    const again = await startAtUpstream(app, 'remembered');
    const cookieJar = again.browser as unknown as { cookies: Map<string, string> };
    cookieJar.cookies.set('foyer.mfa_device', token);
    const step = await again.browser.submit(again.back, '/federation/link', { password });
    expect(step.url).toMatch(/\/mfa$/);
    expect(await identities('remembered')).toHaveLength(0);
    // Control: with that cookie, a plain password sign-in skips the second factor.
    const plain = newBrowser();
    (plain as unknown as { cookies: Map<string, string> }).cookies.set('foyer.mfa_device', token);
    const signedIn = await enterEmailAndPassword(plain, await plain.get((await app.authorizationUrl()).url), 'remembered@example.com', password);
    expect(signedIn.url).not.toMatch(/\/mfa$/);
  });
});

describe('an account without a password', () => {
  it('proves ownership by a code mailed to its address (a password attempt is refused like any wrong one)', async () => {
    const { browser, auth, back } = await startAtUpstream(app, 'nopassword');
    const refused = await browser.submit(back, '/federation/link', { password: 'whatever it might be' });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('Incorrect email or password.');
    const { page, code } = await mailedLinkCode(browser, refused, 'no-password@example.com');
    const wrong = await browser.submit(page, '/federation/link/code', { code: code === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('That code is not right');
    expect(await identities('nopassword')).toHaveLength(0);
    const claims = await finishAtApp(browser, await browser.submit(wrong, '/federation/link/code', { code }), auth);
    const account = await server.services.accounts.findAccountByEmail('no-password@example.com');
    expect(claims.sub).toBe(account!.id);
    expect(claims.amr).toEqual(['otp', 'fed']);
    expect(await identities('nopassword')).toMatchObject([{ account_id: account!.id }]);
  });

  it('checks at most the limit of a burst of wrong codes, and refuses the right code sent with them', async () => {
    const { browser, back } = await startAtUpstream(app, 'burster');
    const { page, code } = await mailedLinkCode(browser, back, 'burst-link@example.com');
    const before = server.services.throttle.verificationsRun('federation-link-code');
    const wrong = Array.from({ length: 40 }, () => browser.submit(page, '/federation/link/code', { code: code === '000000' ? '111111' : '000000' }));
    const pages = await Promise.all([...wrong, browser.submit(page, '/federation/link/code', { code })]);
    expect(server.services.throttle.verificationsRun('federation-link-code') - before).toBeLessThanOrEqual(server.config.throttle.emailAddressFailures);
    expect(pages.at(-1)!.status).toBe(429);
    expect(pages.at(-1)!.html).toContain('Too many attempts');
    expect(await identities('burster')).toHaveLength(0);
  });

  it('activates a lite account whose owner proves the address by code', async () => {
    const { browser, auth, back } = await startAtUpstream(app, 'lite');
    const { page, code } = await mailedLinkCode(browser, back, 'lite@example.com');
    const claims = await finishAtApp(browser, await browser.submit(page, '/federation/link/code', { code }), auth);
    const account = await server.services.accounts.findAccountByEmail('lite@example.com');
    expect(account).toMatchObject({ id: claims.sub, status: 'active', emailVerified: true });
    expect(await identities('lite')).toHaveLength(1);
  });

  it('refuses link posts without their CSRF field', async () => {
    const { browser, back } = await startAtUpstream(app, 'forger');
    expect(back.url).toContain('/federation/link');
    expect((await browser.submit(back, '/federation/link', { password }, { omitCsrf: true })).status).toBe(403);
    expect((await browser.submit(back, '/federation/link/send-code', {}, { omitCsrf: true })).status).toBe(403);
    expect((await browser.request(`${back.url}/code`, { method: 'POST', body: 'code=123456' })).status).toBe(403);
    expect(await identities('forger')).toHaveLength(0);
  });
});
