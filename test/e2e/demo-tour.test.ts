// The README's tour on a fresh start: the demo app, the seeded demo profile, three sign-ins. Sign up and give
// a first name; sign out, sign in again and be asked for the birthday; a third time, the contact preference;
// then the account pages: consent to Marketing (the birthday, held for it, now reaches the demo) and a receipt
// that verifies, and an erasure request.
// Driven over real HTTP with the plain form walker (the pages are the same a person sees in a browser).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser, type Page } from '../support/form-browser.ts';
import { enterEmailAndPassword, signUp, throughPrompts } from '../support/journey.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';
import { verifyReceipt } from '../../examples/receipt-verifier.ts';

let server: TestServer;
const browser = new FormBrowser();
const email = 'tour@example.com';
const password = 'correct horse battery staple 42';

beforeAll(async () => {
  // The default configuration, as `npm start` has it: the demo app and its profile (off in other tests).
  server = await startTestServer({ demoProfile: true });
});
afterAll(async () => server?.stop());

async function startDemoSignIn(): Promise<Page> {
  const demo = await browser.get(`${server.url}/demo`);
  return browser.submit(demo, '/demo/login', {});
}

const json = (page: Page, id: string) => JSON.parse(new RegExp(`<pre id="${id}">([^<]*)</pre>`).exec(page.html)![1]!.replace(/&quot;/g, '"')) as Record<string, unknown>;
const nextVisit = (page: Page) => /<div id="next-visit">([\s\S]*?)<\/div>/.exec(page.html)![1]!;

async function signOutOfDemo(page: Page): Promise<void> {
  const confirm = await browser.submit(page, '/demo/logout', {});
  expect(confirm.html).toContain('Sign out');
  const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
  expect(new URL(done.url).pathname).toBe('/demo');
}

describe('the demo tour on a fresh start', () => {
  it('asks the first name at sign-up, the birthday at the second visit and the contact preference at the third', async () => {
    // Sign-in 1: create an account; after consent, "a little more about you" asks the first name only.
    let page = await signUp(server, browser, await startDemoSignIn(), email, password);
    page = await throughPrompts(browser, page);
    expect(page.url).toContain('/profile');
    expect(page.html).toContain('name="given_name"');
    expect(page.html).not.toContain('name="birthdate"');
    page = await browser.submit(page, '/profile', { given_name: 'Ada' });
    expect(new URL(page.url).pathname).toBe('/demo');
    expect(json(page, 'userinfo')).toMatchObject({ email, given_name: 'Ada' });
    expect(nextVisit(page)).toContain('Birthday');
    expect(page.html).toContain('href="/account"');
    await signOutOfDemo(page);

    // Sign-in 2: the password; the birthday is asked now.
    page = await enterEmailAndPassword(browser, await startDemoSignIn(), email, password);
    expect(page.url).toContain('/profile');
    expect(page.html).toContain('name="birthdate"');
    expect(page.html).not.toContain('name="contact_channel"');
    page = await browser.submit(page, '/profile', { birthdate: '1990-04-01' });
    // Held for Marketing, which rests on consent not given yet: the app does not receive it.
    expect(json(page, 'userinfo')).toMatchObject({ given_name: 'Ada' });
    expect(json(page, 'userinfo')).not.toHaveProperty('birthdate');
    expect(nextVisit(page)).toContain('How should we keep in touch?');
    await signOutOfDemo(page);

    // Sign-in 3: the communication preference; "Not now" lets the customer go on without it.
    page = await enterEmailAndPassword(browser, await startDemoSignIn(), email, password);
    expect(page.html).toContain('name="contact_channel"');
    page = await browser.submit(page, '/profile/skip', {});
    expect(new URL(page.url).pathname).toBe('/demo');
    expect(nextVisit(page)).toContain('Nothing new');
  });

  it('follows the demo to the account pages: a consent with a receipt that verifies, then an erasure request', async () => {
    let page = await browser.get(`${server.url}/account/consents`);
    expect(new URL(page.url).pathname).toBe('/account/consents');
    expect(page.html).toContain('Consent to Marketing');
    page = await browser.submit(page, '/account/consents/purposes/marketing', { choice: 'grant' });
    const row = /<tr><td>[^<]*<\/td><td>[^<]*Marketing[^<]*<\/td>[\s\S]*?href="\/account\/consents\/([^/"]+)\/receipt"/.exec(page.html);
    expect(row, page.html).not.toBeNull();
    const receipt = await browser.get(`${server.url}/account/consents/${row![1]}/receipt`);
    expect(receipt.headers.get('content-type')).toContain('application/jwt');
    const payload = await verifyReceipt(server.url, receipt.html.trim());
    expect(payload).toMatchObject({ consentReceiptID: row![1], legalBasis: 'consent' });

    // With the consent given, the next sign-in to the demo receives the birthday.
    await signOutOfDemo(await browser.get(`${server.url}/demo`));
    const again = await throughPrompts(browser, await enterEmailAndPassword(browser, await startDemoSignIn(), email, password));
    expect(new URL(again.url).pathname).toBe('/demo');
    expect(json(again, 'userinfo')).toMatchObject({ given_name: 'Ada', birthdate: '1990-04-01' });

    page = await browser.get(`${server.url}/account/privacy`);
    page = await browser.submit(page, '/account/privacy/erase', { confirm: 'yes' });
    expect(page.status).toBe(200);
    const mail = await server.smtp.waitForMail(email, (m) => m.text.includes('Keep my account'));
    expect(mail.text).toContain('/account/erasure/cancel/');
  });
});
