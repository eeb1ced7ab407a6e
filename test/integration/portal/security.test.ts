// The security section (/account/security and /account/api/security): passkeys, two-step verification,
// the authenticator app, recovery codes and remembered devices; fresh sign-in for destructive changes,
// the lock-out rules, and ids of other accounts refused.
import { TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntities, FormBrowser } from '../../support/form-browser.ts';
import { throughPrompts } from '../../support/journey.ts';
import { accessTokenFor, addPasskeyThroughPortal, ageAccessTokens, postForm, ageSignIn, callAccountApi, createPasswordAccount, proveEmailInPortal, proveEmailThroughApi, signInToAccount, startServerWithSettingsApp } from '../../support/portal.ts';
import type { RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  ({ server, app } = await startServerWithSettingsApp());
});
afterAll(async () => server?.stop());

const passkeyIds = async (accountId: string) => (await server.services.db('passkeys').where({ account_id: accountId }).select('id')).map((r: { id: string }) => r.id);

describe('passkeys on the security page', () => {
  it('adds a passkey, lists it with its name and last use, renames it, and refuses a bad name', async () => {
    const id = await createPasswordAccount(server, 'pk1@example.com', password);
    const browser = new FormBrowser();
    await signInToAccount(server, browser, 'pk1@example.com', password, '/account/security');
    const added = await addPasskeyThroughPortal(server, browser, createSoftAuthenticator());
    expect(added.html).toContain('Passkey added');
    const [passkeyId] = await passkeyIds(id);
    expect(added.html).toContain('last used never');
    const renamed = await browser.submit(added, `/account/security/passkeys/${passkeyId}/rename`, { name: 'Work laptop' });
    expect(renamed.html).toContain('Passkey renamed');
    expect(renamed.html).toContain('value="Work laptop"');
    const bad = await browser.submit(renamed, `/account/security/passkeys/${passkeyId}/rename`, { name: '   ' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('1 to 64 characters');
    expect(await server.services.events.listEventsOfAccount(id)).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'passkey.renamed' }), expect.objectContaining({ type: 'passkey.added' })]));
  });

  it('removing one needs a sign-in from the last 5 minutes: a stale one goes through prompt=login and comes back', async () => {
    const id = await createPasswordAccount(server, 'pk2@example.com', password);
    const browser = new FormBrowser();
    await signInToAccount(server, browser, 'pk2@example.com', password, '/account/security');
    const page = await addPasskeyThroughPortal(server, browser, createSoftAuthenticator());
    const [passkeyId] = await passkeyIds(id);
    await ageSignIn(server, id, 6);
    const stale = new FormBrowser((url) => url.includes('/auth?'));
    for (const name of ['foyer.account', 'foyer.account.sig', 'foyer.csrf']) (stale as unknown as { cookies: Map<string, string> }).cookies.set(name, browser.cookie(name)!);
    const redirected = await stale.submit(page, `/account/security/passkeys/${passkeyId}/remove`, {});
    const auth = new URL(redirected.url);
    expect(auth.searchParams.get('prompt')).toBe('login');
    expect(auth.searchParams.get('max_age')).toBe('300');
    expect(await passkeyIds(id)).toEqual([passkeyId]);
    // In the real browser: the password is asked again (no SSO shortcut), then back to the security page.
    const login = await browser.submit(page, `/account/security/passkeys/${passkeyId}/remove`, {});
    expect(login.html).toContain('name="email"');
    const { enterEmailAndPassword } = await import('../../support/journey.ts');
    const back = await throughPrompts(browser, await enterEmailAndPassword(browser, login, 'pk2@example.com', password));
    expect(back.url).toBe(`${server.url}/account/security?reauthenticated=1`);
    expect(back.html).toContain('You signed in again');
    const removed = await browser.submit(back, `/account/security/passkeys/${passkeyId}/remove`, {});
    expect(removed.html).toContain('Passkey removed');
    expect(await passkeyIds(id)).toEqual([]);
  });

  it('never removes the last sign-in method: no password, an unverified email, one passkey', async () => {
    const id = await createPasswordAccount(server, 'pk3@example.com', password);
    const browser = new FormBrowser();
    await signInToAccount(server, browser, 'pk3@example.com', password, '/account/security');
    const page = await addPasskeyThroughPortal(server, browser, createSoftAuthenticator());
    const [passkeyId] = await passkeyIds(id);
    await server.services.db('accounts').where({ id }).update({ password_hash: null });
    await server.services.db('account_emails').where({ account_id: id }).update({ verified_at: null });
    const refused = await browser.submit(page, `/account/security/passkeys/${passkeyId}/remove`, {});
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('last way you can sign in');
    expect(await passkeyIds(id)).toEqual([passkeyId]);
  });

  it("answers 404 for another account's passkey, on the page and through the API", async () => {
    const owner = await createPasswordAccount(server, 'pk4@example.com', password);
    const ownerBrowser = new FormBrowser();
    await signInToAccount(server, ownerBrowser, 'pk4@example.com', password, '/account/security');
    await addPasskeyThroughPortal(server, ownerBrowser, createSoftAuthenticator());
    const [passkeyId] = await passkeyIds(owner);
    await createPasswordAccount(server, 'intruder@example.com', password);
    const intruder = new FormBrowser();
    const page = await signInToAccount(server, intruder, 'intruder@example.com', password, '/account/security');
    expect((await postForm(server, intruder, page, `/account/security/passkeys/${passkeyId}/remove`)).status).toBe(404);
    expect((await postForm(server, intruder, page, `/account/security/passkeys/${passkeyId}/rename`, { name: 'mine' })).status).toBe(404);
    const { accessToken } = await accessTokenFor(app, 'intruder@example.com', password, 'openid account');
    const api = await callAccountApi(server, `/security/passkeys/${encodeURIComponent(passkeyId!)}`, accessToken, { method: 'DELETE' });
    expect(api.status).toBe(404);
    expect(api.json.error).toBe('portal.not_found');
    expect((await callAccountApi(server, `/security/passkeys/${encodeURIComponent(passkeyId!)}`, accessToken, { method: 'PATCH', body: { name: 'mine' } })).status).toBe(404);
    expect(await passkeyIds(owner)).toEqual([passkeyId]);
  });

  it('refuses a form without its CSRF token (403)', async () => {
    await createPasswordAccount(server, 'pk5@example.com', password);
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, 'pk5@example.com', password, '/account/security');
    const refused = await browser.submit(page, '/account/security/mfa', { enabled: 'on' }, { omitCsrf: true });
    expect(refused.status).toBe(403);
  });
});

describe('two-step verification', () => {
  it('sets up an authenticator app with its first code, shows ten recovery codes once, and regenerates them', async () => {
    const id = await createPasswordAccount(server, 'totp1@example.com', password);
    const browser = new FormBrowser();
    await signInToAccount(server, browser, 'totp1@example.com', password, '/account/security');
    const setup = await proveEmailInPortal(server, browser, 'totp1@example.com');
    expect(setup.html).toContain('data:image/svg+xml;base64,');
    const secret = /id="manual-key" class="secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, '');
    const wrong = await browser.submit(setup, '/account/security/totp', { code: '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('not right');
    const code = new TOTP({ secret, digits: 6, period: 30, algorithm: 'SHA1' }).generate();
    const done = await browser.submit(wrong, '/account/security/totp', { code });
    const codes = [...done.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    expect(await server.services.totp.hasTotp(id)).toBe(true);
    await server.smtp.waitForMail('totp1@example.com', (m) => /authenticator|two-step/i.test(m.subject));
    const again = await browser.get(`${server.url}/account/security`);
    expect(again.html).toContain('10 unused recovery codes');
    expect(again.html).not.toContain(codes[0]);
    const fresh = await browser.submit(again, '/account/security/recovery-codes', {});
    const newCodes = [...fresh.html.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(newCodes).toHaveLength(10);
    expect(newCodes).not.toContain(codes[0]);
    expect((await server.services.recoveryCodes.useRecoveryCode({ accountId: id, code: codes[0]!, address: '127.0.0.9' })).status).toBe('invalid');
  });

  it('with two-step on, the last second factor stays until two-step is turned off (which needs a fresh sign-in)', async () => {
    const id = await createPasswordAccount(server, 'totp2@example.com', password);
    const browser = new FormBrowser();
    await signInToAccount(server, browser, 'totp2@example.com', password, '/account/security');
    const setup = await proveEmailInPortal(server, browser, 'totp2@example.com');
    const secret = /id="manual-key" class="secret">([A-Z2-7 ]+)</.exec(setup.html)![1]!.replace(/ /g, '');
    await browser.submit(setup, '/account/security/totp', { code: new TOTP({ secret }).generate() });
    let page = await browser.submit(await browser.get(`${server.url}/account/security`), '/account/security/mfa', { enabled: 'on' });
    expect(page.html).toContain('Two-step verification is on');
    expect(await server.services.mfaPolicy.isMfaEnabled(id)).toBe(true);
    const refused = await browser.submit(page, '/account/security/totp/remove', {});
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('last second factor');
    await ageSignIn(server, id, 10);
    const offStale = await browser.submit(refused, '/account/security/mfa', { enabled: 'off' });
    expect(offStale.html).toContain('value="totp2@example.com"'); // the sign-in page, for this account
    expect(await server.services.mfaPolicy.isMfaEnabled(id)).toBe(true);
    await ageSignIn(server, id, 0);
    page = await browser.submit(refused, '/account/security/mfa', { enabled: 'off' });
    expect(page.html).toContain('Two-step verification is off');
    page = await browser.submit(page, '/account/security/totp/remove', {});
    expect(page.html).toContain('authenticator app was removed');
    expect(await server.services.totp.hasTotp(id)).toBe(false);
  });

  it('lists remembered devices and forgets one; another account cannot touch them', async () => {
    const id = await createPasswordAccount(server, 'dev1@example.com', password);
    await server.services.rememberedDevices.rememberDevice(id, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0');
    const [device] = await server.services.rememberedDevices.listRememberedDevices(id);
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, 'dev1@example.com', password, '/account/security');
    expect(page.html).toContain('Firefox/140.0');
    await createPasswordAccount(server, 'dev2@example.com', password);
    const other = new FormBrowser();
    const otherPage = await signInToAccount(server, other, 'dev2@example.com', password, '/account/security');
    expect((await postForm(server, other, otherPage, `/account/security/devices/${device!.id}/revoke`)).status).toBe(404);
    const revoked = await browser.submit(page, `/account/security/devices/${device!.id}/revoke`, {});
    expect(revoked.html).toContain('asked for the second step again');
    expect(await server.services.rememberedDevices.listRememberedDevices(id)).toEqual([]);
  });
});

describe('the security API', () => {
  it('lists, renames, and removes with a fresh token; a stale token gets 401 reauthentication_required', async () => {
    const id = await createPasswordAccount(server, 'api1@example.com', password);
    const browser = new FormBrowser();
    await signInToAccount(server, browser, 'api1@example.com', password, '/account/security');
    await addPasskeyThroughPortal(server, browser, createSoftAuthenticator());
    const [passkeyId] = await passkeyIds(id);
    const { accessToken } = await accessTokenFor(app, 'api1@example.com', password, 'openid account');
    const listed = await callAccountApi(server, '/security', accessToken);
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ mfa_enabled: false, totp: { enrolled: false }, passkeys: [expect.objectContaining({ id: passkeyId, last_used_at: null })] });
    const path = `/security/passkeys/${encodeURIComponent(passkeyId!)}`;
    expect((await callAccountApi(server, path, accessToken, { method: 'PATCH', body: { name: 'Phone' } })).json).toEqual({ id: passkeyId, name: 'Phone' });
    expect((await callAccountApi(server, path, accessToken, { method: 'PATCH', body: { name: 3 } })).status).toBe(400);
    await ageAccessTokens(server, id, 6);
    const stale = await callAccountApi(server, path, accessToken, { method: 'DELETE' });
    expect(stale.status).toBe(401);
    expect(stale.json.error).toBe('reauthentication_required');
    expect(stale.json.message).toMatch(/sign in again/i);
    expect(stale.headers.get('www-authenticate')).toContain('max_age=300');
    expect(await passkeyIds(id)).toEqual([passkeyId]);
    await ageAccessTokens(server, id, 0);
    expect((await callAccountApi(server, path, accessToken, { method: 'DELETE' })).status).toBe(204);
    expect(await passkeyIds(id)).toEqual([]);
  });

  it('enrols an authenticator app and refuses removing the last factor while two-step is on', async () => {
    const id = await createPasswordAccount(server, 'api2@example.com', password);
    const { accessToken } = await accessTokenFor(app, 'api2@example.com', password, 'openid account');
    await proveEmailThroughApi(server, accessToken, 'api2@example.com');
    const started = await callAccountApi(server, '/security/totp', accessToken, { method: 'POST' });
    expect(started.status).toBe(201);
    const code = new TOTP({ secret: String(started.json.secret) }).generate();
    const confirmed = await callAccountApi(server, '/security/totp/confirm', accessToken, { method: 'POST', body: { enrolment_id: started.json.enrolment_id, code } });
    expect(confirmed.json.recovery_codes).toHaveLength(10);
    expect((await callAccountApi(server, '/security/mfa', accessToken, { method: 'PUT', body: { enabled: true } })).json).toEqual({ mfa_enabled: true });
    const refused = await callAccountApi(server, '/security/totp', accessToken, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect(refused.json.error).toBe('last_second_factor');
    expect(await server.services.totp.hasTotp(id)).toBe(true);
    expect((await callAccountApi(server, '/security/mfa', accessToken, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: undefined })).status).toBe(415);
  });
});

describe('a first second factor from a password-only session', () => {
  it('needs the mailed code on the pages: no seed, no passkey options, a wrong code refused, then the setup', async () => {
    const id = await createPasswordAccount(server, 'first@example.com', password);
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, 'first@example.com', password, '/account/security');
    // One message with the link inside it, not a sentence and a separate link.
    expect(decodeEntities(page.html)).toContain('<p>To add a passkey, first <a href="/account/security/enrol-proof?next=passkey" dir="auto">confirm it is you</a> with a code by email.</p>');
    const totp = await browser.get(`${server.url}/account/security/totp`);
    expect(totp.url).toContain('/account/security/enrol-proof');
    expect(totp.html).not.toContain('manual-key');
    const options = await postForm(server, browser, page, '/account/security/passkeys/register/options');
    expect(options.status).toBe(403);
    const forged = await postForm(server, browser, page, '/account/security/totp', { enrolment: 'flow_aaaaaaaaaaaaaaaaaaaa', code: '123456' });
    expect(forged.status).toBe(403);
    const sent = await browser.submit(totp, '/account/security/enrol-proof/send', {});
    const mail = await server.smtp.waitForMail('first@example.com', (m) => m.subject.startsWith('Confirm it is you to set up'));
    const wrong = codeFrom(mail) === '000000' ? '111111' : '000000';
    const refused = await browser.submit(sent, '/account/security/enrol-proof', { code: wrong });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('That code is not right');
    const setup = await browser.submit(refused, '/account/security/enrol-proof', { code: codeFrom(mail) });
    expect(setup.html).toContain('manual-key');
    expect(await server.services.totp.hasTotp(id)).toBe(false);
  });

  it('needs it through the Account API too (403 email_proof_required)', async () => {
    await createPasswordAccount(server, 'firstapi@example.com', password);
    const { accessToken } = await accessTokenFor(app, 'firstapi@example.com', password, 'openid account');
    const refused = await callAccountApi(server, '/security/totp', accessToken, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(refused.json.error).toBe('email_proof_required');
    expect((await callAccountApi(server, '/security/enrolment-proof/confirm', accessToken, { method: 'POST', body: { code: 'abc' } })).status).toBe(400);
    await proveEmailThroughApi(server, accessToken, 'firstapi@example.com');
    expect((await callAccountApi(server, '/security/totp', accessToken, { method: 'POST' })).status).toBe(201);
  });

  it('is not asked of a session that a mailed link signed in (it proved the email)', async () => {
    await server.services.accounts.insertAccount({ email: 'linked-in@example.com', status: 'active', emailVerified: true });
    const browser = new FormBrowser();
    await browser.submit(await browser.get(`${server.url}/account`), '/account/link', { email: 'linked-in@example.com' });
    const mail = await server.smtp.waitForMail('linked-in@example.com', (m) => m.subject.includes('link to your'));
    await browser.submit(await browser.get(/(http:\/\/\S+\/account\/link\/\S+)/.exec(mail.text)![1]!), '/account/link/', {});
    const setup = await browser.get(`${server.url}/account/security/totp`);
    expect(setup.html).toContain('manual-key');
  });
});
