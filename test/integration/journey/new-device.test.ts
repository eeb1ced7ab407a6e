// The "new sign-in" mail: a sign-in (by any method) from a browser the account has not used before mails
// the account; the same browser again does not, and neither does the first sign-in right after sign-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const email = 'traveller@example.com';
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newSignInMails = () => server.smtp.mails.filter((m) => m.to.includes(email) && m.subject.startsWith('New sign-in'));

/** Signs in with the password from `browser`; prompt=login makes a browser with a session sign in again. */
async function signInWithPassword(browser: ReturnType<typeof newBrowser>) {
  const page = await consentIfAsked(browser, await enterEmailAndPassword(browser, await browser.get((await app.authorizationUrl({ prompt: 'login' })).url), email, password));
  expect(page.url.startsWith(CALLBACK), page.html.slice(0, 500)).toBe(true);
}

describe('the new sign-in mail', () => {
  const first = newBrowser();

  it('is not sent for the sign-in right after sign-up', async () => {
    const done = await consentIfAsked(first, await signUp(server, first, await first.get((await app.authorizationUrl()).url), email, password));
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    expect(first.cookie('foyer.device')).toMatch(/^[\w-]{43}$/);
    await sleep(300);
    expect(newSignInMails()).toHaveLength(0);
  });

  it('is sent when the account signs in from another browser, with the time and a link to the account pages', async () => {
    const before = Date.now();
    await signInWithPassword(newBrowser());
    const mail = await server.smtp.waitForMail(email, (m) => m.subject.startsWith('New sign-in'));
    expect(mail.subject).toBe('New sign-in to your Foyer account');
    // The link opens the sessions page, where that browser can be signed out.
    expect(mail.text).toContain(`${server.url}/account/sessions`);
    expect(mail.html).toContain(`href="${server.url}/account/sessions"`);
    const when = /When: (.+)/.exec(mail.text)![1]!;
    expect(Math.abs(new Date(when).getTime() - before)).toBeLessThan(60_000);
    expect(mail.text).not.toMatch(/\b\d{6}\b/);
  });

  it('is not sent again for a browser the account has used before', async () => {
    await signInWithPassword(first);
    await sleep(300);
    expect(newSignInMails()).toHaveLength(1);
  });

  it('is sent for a sign-in by emailed code from a new browser too', async () => {
    const browser = newBrowser();
    const passwordPage = await browser.submit(await browser.get((await app.authorizationUrl()).url), '/identify', { email });
    const sent = await browser.submit(passwordPage, '/email-code/send', {});
    const mail = await server.smtp.waitForMail(email, (m) => m.subject.includes('sign-in code'));
    const done = await consentIfAsked(browser, await browser.submit(sent, '/email-code/verify', { code: codeFrom(mail) }));
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    for (let i = 0; i < 50 && newSignInMails().length < 2; i++) await sleep(50);
    expect(newSignInMails()).toHaveLength(2);
  });

  it('keeps each device as a keyed hash of its cookie, never the cookie itself', async () => {
    const account = (await server.services.accounts.findAccountByEmail(email))!;
    const rows = await server.dbHandle.db('known_devices').where({ account_id: account.id });
    expect(rows).toHaveLength(3);
    const cookie = first.cookie('foyer.device')!;
    for (const row of rows) {
      expect(row.device_hash).not.toContain(cookie);
      expect(row.user_agent).toBeTruthy();
    }
  });
});
