// A first second factor needs proof of the account's email: a password-only sign-in to a client that requires
// MFA cannot set up an authenticator app until a mailed code is confirmed in that interaction; a sign-in that
// proved the email itself (email code, sign-up) goes straight to the setup. Real HTTP, openid-client, SMTP capture.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom, type CapturedMail } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const password = 'a quiet lantern by the northern gate';
let server: TestServer;
let bank: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ throttle: { codeSendsPerAddress: 1000 } });
  bank = await createRelyingParty(server, { clientId: 'bank', name: 'Bank', mfa: 'required' });
});
afterAll(async () => server?.stop());

const manualKey = (page: Page) => /<code id="manual-key" class="secret">([A-Z2-7 ]+)<\/code>/.exec(page.html)?.[1]?.replace(/ /g, '');
const totpCode = (secret: string) => TOTP.generate({ secret: Secret.fromBase32(secret) });
const proofMail = (email: string, index = 0) => waitForNth(email, (m) => m.subject.startsWith('Confirm it is you to set up'), index);

async function waitForNth(email: string, predicate: (m: CapturedMail) => boolean, index: number): Promise<CapturedMail> {
  for (let i = 0; i < 200; i++) {
    const mail = server.smtp.mails.filter((m) => m.to.includes(email) && predicate(m))[index];
    if (mail) return mail;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no mail #${index} to ${email}`);
}

async function passwordSignIn(email: string, browser = newBrowser()) {
  const auth = await bank.authorizationUrl();
  const page = await enterEmailAndPassword(browser, await browser.get(auth.url), email, password);
  expect(page.url).toMatch(/\/mfa$/);
  return { browser, auth, page };
}

async function finishEnrolment(browser: FormBrowser, setup: Page, auth: Awaited<ReturnType<RelyingParty['authorizationUrl']>>) {
  const secret = manualKey(setup)!;
  expect(secret).toBeDefined();
  const codes = await browser.submit(setup, '/mfa/setup', { code: totpCode(secret) });
  expect(codes.html).toContain('Save your recovery codes');
  const done = await throughPrompts(browser, await browser.submit(codes, '/mfa/continue', {}));
  expect(done.url.startsWith(CALLBACK), done.html.slice(0, 400)).toBe(true);
  return (await bank.exchange(done.url, auth)).claims()!;
}

describe('a password-only sign-in to a client that requires MFA, on an account without a second factor', () => {
  it('cannot set up an authenticator app without the mailed code; a wrong code is refused; the right one lets enrolment go on', async () => {
    const email = 'pwonly@example.com';
    const accountId = await createPasswordAccount(server, email, password);
    const { browser, auth, page } = await passwordSignIn(email);
    // No seed is shown, whichever way the setup is asked for.
    expect(page.html).toContain('Confirm it is you');
    expect(manualKey(page)).toBeUndefined();
    expect(page.html).not.toContain('class="qr"');
    const direct = await browser.get(`${page.url}/setup`);
    expect(manualKey(direct)).toBeUndefined();
    const blind = await browser.request(`${page.url}/setup`, { method: 'POST', body: 'code=123456' });
    expect(blind.status).toBe(403); // no CSRF token: refused before anything
    expect(await server.services.totp.hasTotp(accountId)).toBe(false);
    const flows = await server.dbHandle.db('flows').where({ account_id: accountId, kind: 'mfa' });
    expect(flows.every((f: { context: { pendingSecret?: string } }) => !f.context.pendingSecret)).toBe(true);

    const sent = await browser.submit(page, '/mfa/setup/email/send', {});
    expect(sent.html).toContain('Code from the email');
    const mail = await proofMail(email);
    expect(mail.text).toContain(codeFrom(mail));
    expect(mail.html).toContain(codeFrom(mail));
    const wrong = codeFrom(mail) === '000000' ? '111111' : '000000';
    const refused = await browser.submit(sent, '/mfa/setup/email', { code: wrong });
    expect(refused.status).toBe(401);
    expect(refused.html).toContain('That code is not right');
    expect(manualKey(refused)).toBeUndefined();

    const setup = await browser.submit(refused, '/mfa/setup/email', { code: codeFrom(mail) });
    expect(setup.url).toMatch(/\/mfa\/setup$/);
    expect(setup.html).toContain('Set up two-step verification');
    const claims = await finishEnrolment(browser, setup, auth);
    expect(claims.sub).toBe(accountId);
    expect(claims.acr).toBe('urn:foyer:acr:2fa');
    expect(await server.services.totp.hasTotp(accountId)).toBe(true);
  });

  it('a code proved in one interaction does not carry to another sign-in', async () => {
    const email = 'perinteraction@example.com';
    await createPasswordAccount(server, email, password);
    const first = await passwordSignIn(email);
    const sent = await first.browser.submit(first.page, '/mfa/setup/email/send', {});
    const setup = await first.browser.submit(sent, '/mfa/setup/email', { code: codeFrom(await proofMail(email)) });
    expect(manualKey(setup)).toBeDefined();

    const second = await passwordSignIn(email);
    expect(second.page.html).toContain('Confirm it is you');
    expect(manualKey(await second.browser.get(`${second.page.url}/setup`))).toBeUndefined();
  });

  it('refuses the setup form with a seed-less or proofless post, never a 500', async () => {
    const email = 'forged@example.com';
    const accountId = await createPasswordAccount(server, email, password);
    const { browser, page } = await passwordSignIn(email);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    const forged = { ...page, html: `<form method="post" action="${new URL(page.url).pathname}/setup"><input type="hidden" name="_csrf" value="${csrf}"></form>` };
    const answer = await browser.submit(forged, '/mfa/setup', { code: '123456' });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(await server.services.totp.hasTotp(accountId)).toBe(false);
    const malformed = await browser.submit({ ...forged, html: forged.html.replace('/setup"', '/setup/email"') }, '/mfa/setup/email', { code: 'abc' });
    expect(malformed.status).toBe(400);
  });
});

describe('a sign-in that proved the email itself', () => {
  it('an email-code sign-in goes straight to the authenticator setup', async () => {
    const email = 'emailcode@example.com';
    const accountId = await createPasswordAccount(server, email, password);
    const browser = newBrowser();
    const auth = await bank.authorizationUrl();
    const passwordPage = await browser.submit(await browser.get(auth.url), '/identify', { email });
    const sent = await browser.submit(passwordPage, '/email-code/send', {});
    const mail = await waitForNth(email, (m) => m.subject.includes('sign-in code'), 0);
    const setup = await browser.submit(sent, '/email-code/verify', { code: codeFrom(mail) });
    expect(setup.url).toMatch(/\/mfa$/);
    expect(setup.html).toContain('Set up two-step verification');
    const claims = await finishEnrolment(browser, setup, auth);
    expect(claims.sub).toBe(accountId);
    expect(server.smtp.mails.some((m) => m.to.includes(email) && m.subject.startsWith('Confirm it is you to set up'))).toBe(false);
  });
});
