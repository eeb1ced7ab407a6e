// The overview section and the ways into /account without a password: changing the email (fresh sign-in,
// a code to the new address, the old one told, no enumeration of taken addresses), "Email me a sign-in
// link" for a lite account (single use, same answer for unknown addresses), and the journey's mailed sign-in
// link opened in another browser (it shows the code only: neither that browser nor the waiting one is signed in by it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { consentIfAsked, newBrowser } from '../../support/journey.ts';
import { accessTokenFor, ageAccessTokens, ageSignIn, callAccountApi, createPasswordAccount, signInToAccount, startServerWithSettingsApp } from '../../support/portal.ts';
import { CALLBACK, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  ({ server, app } = await startServerWithSettingsApp());
});
afterAll(async () => server?.stop());

const mailsTo = (email: string) => server.smtp.mails.filter((m) => m.to.includes(email));

describe('changing the email address', () => {
  it('needs a fresh sign-in, proves the new address with a mailed code, and tells the old one', async () => {
    const id = await createPasswordAccount(server, 'old@example.com', password);
    const browser = new FormBrowser();
    let page = await signInToAccount(server, browser, 'old@example.com', password);
    expect(page.html).toContain('old@example.com');
    await ageSignIn(server, id, 6);
    const stale = await browser.submit(page, '/account/overview/email', { email: 'new@example.com' });
    expect(stale.html).toContain('value="old@example.com"'); // sign in again first
    expect(mailsTo('new@example.com')).toHaveLength(0);
    await ageSignIn(server, id, 0);
    const invalid = await browser.submit(page, '/account/overview/email', { email: 'not an email' });
    expect(invalid.status).toBe(400);
    expect(invalid.html).toContain('Enter a valid email address');
    const sent = await browser.submit(page, '/account/overview/email', { email: 'new@example.com' });
    expect(sent.html).toContain('Check your email');
    const mail = await server.smtp.waitForMail('new@example.com', (m) => m.subject.includes('change your email'));
    const wrong = await browser.submit(sent, '/account/overview/email/verify', { code: codeFrom(mail) === '000000' ? '111111' : '000000' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('not right');
    page = await browser.submit(wrong, '/account/overview/email/verify', { code: codeFrom(mail) });
    expect(page.html).toContain('Your email address was changed');
    expect(page.html).toContain('new@example.com');
    const notice = await server.smtp.waitForMail('old@example.com', (m) => m.subject.includes('was changed'));
    expect(notice.text).toContain('n***@example.com');
    expect((await server.services.accounts.findAccountByEmail('new@example.com'))?.id).toBe(id);
    expect(await server.services.accounts.findAccountByEmail('old@example.com')).toBeUndefined();
    expect((await server.services.events.listEventsOfAccount(id)).map((e) => e.type)).toContain('account.email_changed');
    // The new address signs in.
    await signInToAccount(server, new FormBrowser(), 'new@example.com', password);
  });

  it('answers the same for an address another account holds, and mails that address no code', async () => {
    await createPasswordAccount(server, 'holder@example.com', password);
    const id = await createPasswordAccount(server, 'wants@example.com', password);
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, 'wants@example.com', password);
    const sent = await browser.submit(page, '/account/overview/email', { email: 'holder@example.com' });
    expect(sent.html).toContain('Check your email');
    const mail = await server.smtp.waitForMail('holder@example.com', (m) => m.subject.includes('tried to use your address'));
    expect(mail.text).not.toMatch(/\b\d{6}\b/);
    const guess = await browser.submit(sent, '/account/overview/email/verify', { code: '123456' });
    expect(guess.status).toBe(400);
    expect((await server.services.accounts.findAccountById(id))?.email).toBe('wants@example.com');
  });

  it('through the API: fresh sign-in required, then a code confirms it', async () => {
    const id = await createPasswordAccount(server, 'api-old@example.com', password);
    const { accessToken } = await accessTokenFor(app, 'api-old@example.com', password, 'openid account');
    await ageAccessTokens(server, id, 10);
    const stale = await callAccountApi(server, '/overview/email', accessToken, { method: 'POST', body: { email: 'api-new@example.com' } });
    expect(stale.status).toBe(401);
    expect(stale.json.error).toBe('reauthentication_required');
    await ageAccessTokens(server, id, 0);
    const started = await callAccountApi(server, '/overview/email', accessToken, { method: 'POST', body: { email: 'api-new@example.com' } });
    expect(started.status).toBe(202);
    const mail = await server.smtp.waitForMail('api-new@example.com');
    const done = await callAccountApi(server, '/overview/email/verify', accessToken, { method: 'POST', body: { change_id: started.json.change_id, code: codeFrom(mail) } });
    expect(done.json).toEqual({ email: 'api-new@example.com', email_verified: true });
    expect((await callAccountApi(server, '/overview', accessToken)).json.email).toBe('api-new@example.com');
    // Another account cannot finish this account's change.
    await createPasswordAccount(server, 'api-other@example.com', password);
    const other = await accessTokenFor(app, 'api-other@example.com', password, 'openid account');
    expect((await callAccountApi(server, '/overview/email/verify', other.accessToken, { method: 'POST', body: { change_id: started.json.change_id, code: '123456' } })).status).toBe(400);
  });
});

describe('"Email me a sign-in link"', () => {
  it('opens the account pages of a lite account once, with amr otp; unknown addresses get the same answer', async () => {
    const lite = await server.services.accounts.insertAccount({ email: 'lite@example.com', status: 'lite', emailVerified: false });
    const browser = new FormBrowser();
    const welcome = await browser.get(`${server.url}/account`);
    expect(welcome.html).toContain('Email me a sign-in link');
    const forged = await browser.submit(welcome, '/account/link', { email: 'lite@example.com' }, { omitCsrf: true });
    expect(forged.status).toBe(403);
    const unknown = await browser.submit(welcome, '/account/link', { email: 'nobody@example.com' });
    const known = await browser.submit(welcome, '/account/link', { email: 'lite@example.com' });
    expect(known.url).toBe(unknown.url);
    expect(known.html).toBe(unknown.html);
    const mail = await server.smtp.waitForMail('lite@example.com', (m) => m.subject.includes('link to your'));
    expect(mailsTo('nobody@example.com')).toHaveLength(0);
    const link = /(http:\/\/\S+\/account\/link\/\S+)/.exec(mail.text)![1]!;
    // A mail scanner's GET uses nothing.
    expect((await fetch(link)).status).toBe(200);
    const page = await browser.get(link);
    const opened = await browser.submit(page, '/account/link/', {});
    expect(opened.url).toBe(`${server.url}/account/overview?done=link`);
    expect(opened.html).toContain('lite@example.com');
    expect(opened.html).toContain('Email only');
    const session = await server.services.db('portal_sessions').where({ account_id: lite.id }).first();
    expect(session.amr).toEqual(['otp']);
    expect((await server.services.accounts.findAccountById(lite.id))?.emailVerified).toBe(true);
    const again = await browser.submit(page, '/account/link/', {});
    expect(again.status).toBe(400);
    expect(again.html).toContain('expired or was already used');
  });

  it('is refused for an account with two-step verification on', async () => {
    const id = await createPasswordAccount(server, 'twostep@example.com', password);
    await server.services.accountSecurity.setMfaEnabled(id, true);
    const browser = new FormBrowser();
    await browser.submit(await browser.get(`${server.url}/account`), '/account/link', { email: 'twostep@example.com' });
    const mail = await server.smtp.waitForMail('twostep@example.com', (m) => m.subject.includes('link to your'));
    const page = await browser.get(/(http:\/\/\S+\/account\/link\/\S+)/.exec(mail.text)![1]!);
    const refused = await browser.submit(page, '/account/link/', {});
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('two-step verification');
    expect(await server.services.db('portal_sessions').where({ account_id: id })).toHaveLength(0);
  });
});

describe('the mailed sign-in link, opened in another browser', () => {
  it('shows the code to type in the waiting browser, and signs no browser in to the account pages', async () => {
    const magicId = await createPasswordAccount(server, 'magic@example.com', password);
    const waiting = newBrowser();
    const auth = await app.authorizationUrl({ scope: 'openid email' });
    const passwordPage = await waiting.submit(await waiting.get(auth.url), '/identify', { email: 'magic@example.com' });
    const sent = await waiting.submit(passwordPage, '/email-code/send', {});
    const mail = await server.smtp.waitForMail('magic@example.com', (m) => m.subject.includes('sign-in code'));
    const link = /(http:\/\/\S+\/signin\/link\/[\w-]+)/.exec(mail.text)![1]!;

    const other = new FormBrowser();
    const shown = await other.get(link);
    expect(shown.html).toContain('Type this code in the browser where you started signing in');
    expect(shown.html).toContain(codeFrom(mail));
    const account = await other.get(`${server.url}/account/overview`);
    expect(account.url).not.toBe(`${server.url}/account/overview`);
    expect(await server.services.db('portal_sessions').where({ account_id: magicId })).toHaveLength(0);

    const done = await waiting.submit(sent, '/email-code/verify', { code: codeFrom(mail) });
    const final = await consentIfAsked(waiting, done.html.includes('/terms"') ? await waiting.submit(done, '/terms', { accept: 'yes' }) : done);
    expect(final.url.startsWith(CALLBACK), final.url).toBe(true);
  });
});
