// An upstream that confirms no email: the customer names one and proves it by a mailed code; a fresh email
// gets an account linked to the upstream, an existing account's email needs that account's password first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startAtUpstream, startUpstream, UPSTREAM_CLIENT, type Upstream } from './upstream.ts';

let upstream: Upstream;
let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  upstream = await startUpstream({
    private1: {},
    private2: { email: 'relay-123@privaterelay.example', email_verified: false },
    private3: {},
    private4: {},
    burster: {},
  });
  server = await startTestServer({
    outboundAllowPrivate: true,
    connectors: [{ id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email'], enabled: true }],
  });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
  await server.services.accounts.insertAccount({ email: 'owner@example.com', status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

/** Enters `email` on the confirmation page and returns the code page and the mailed code. */
async function sendCodeTo(browser: FormBrowser, page: Page, email: string) {
  const before = server.smtp.mails.filter((m) => m.to.includes(email)).length;
  const codePage = await browser.submit(page, '/federation/email', { email });
  await server.smtp.waitForMail(email, () => server.smtp.mails.filter((m) => m.to.includes(email)).length > before);
  const mail = server.smtp.mails.filter((m) => m.to.includes(email)).at(-1)!;
  expect(mail.subject).toContain('confirmation code');
  return { codePage, code: codeFrom(mail) };
}

const identities = (subject: string) => server.dbHandle.db('federated_identities').where({ connector: 'social', subject });
const accountCount = async () => Number((await server.dbHandle.db('accounts').count('* as n'))[0]!.n);

describe('an upstream without a confirmed email', () => {
  it('asks for an email, and its code creates a verified account linked to the upstream subject', async () => {
    const { browser, auth, back } = await startAtUpstream(app, 'private1');
    expect(back.url).toContain('/federation/email');
    expect(back.html).toContain('We could not confirm your email');
    expect(back.html).toMatch(/<label for="email">Email<\/label>/);
    expect(back.html).toContain('/signup"'); // the old alternatives stay
    const { codePage, code } = await sendCodeTo(browser, back, 'fresh@example.com');
    expect(codePage.url).toContain('/federation/email/code');
    expect(codePage.html).toContain('We sent a 6-digit code to <strong>fresh@example.com</strong>');
    const callback = await throughPrompts(browser, await browser.submit(codePage, '/federation/email/code', { code }));
    expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 500)).toBe(true);
    const claims = (await app.exchange(callback.url, auth)).claims()!;
    const account = await server.services.accounts.findAccountByEmail('fresh@example.com');
    expect(account).toMatchObject({ id: claims.sub, emailVerified: true, passwordHash: null, status: 'active' });
    expect(await identities('private1')).toMatchObject([{ account_id: claims.sub, email: 'fresh@example.com' }]);

    // The second sign-in through the upstream goes straight in, as the same account.
    const again = await startAtUpstream(app, 'private1');
    const callback2 = await throughPrompts(again.browser, again.back);
    expect(callback2.url.startsWith(CALLBACK)).toBe(true);
    expect((await app.exchange(callback2.url, again.auth)).claims()!.sub).toBe(claims.sub);
  });

  it('checks at most the limit of a burst of wrong codes, and refuses the right code sent with them', async () => {
    const { browser, back } = await startAtUpstream(app, 'burster');
    const { codePage, code } = await sendCodeTo(browser, back, 'burst-confirm@example.com');
    const before = server.services.throttle.verificationsRun('federation-email-code');
    const wrong = Array.from({ length: 40 }, () => browser.submit(codePage, '/federation/email/code', { code: code === '000000' ? '111111' : '000000' }));
    const pages = await Promise.all([...wrong, browser.submit(codePage, '/federation/email/code', { code })]);
    expect(server.services.throttle.verificationsRun('federation-email-code') - before).toBeLessThanOrEqual(server.config.throttle.emailAddressFailures);
    expect(pages.at(-1)!.status).toBe(429);
    expect(pages.at(-1)!.html).toContain('Too many attempts');
    expect(await identities('burster')).toHaveLength(0);
  });

  it('for the email of an existing account, links only after that account password', async () => {
    const accountsBefore = await accountCount();
    const { browser, auth, back } = await startAtUpstream(app, 'private2');
    const fresh = await startAtUpstream(app, 'private4');
    const { codePage, code } = await sendCodeTo(browser, back, 'owner@example.com');
    const freshPage = (await sendCodeTo(fresh.browser, fresh.back, 'nobody-yet@example.com')).codePage;
    // The code page reads the same whether or not the email has an account.
    const strip = (html: string) => html.replace(/owner@example\.com|nobody-yet@example\.com/g, 'EMAIL').replace(/[\w-]{20,}/g, 'X');
    expect(strip(codePage.html)).toBe(strip(freshPage.html));

    const link = await browser.submit(codePage, '/federation/email/code', { code });
    expect(link.url).toContain('/federation/link');
    expect(link.html).toContain('This email already has an account: sign in to link it to Social');
    const wrong = await browser.submit(link, '/federation/link', { password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(await identities('private2')).toHaveLength(0);
    const callback = await throughPrompts(browser, await browser.submit(wrong, '/federation/link', { password }));
    expect(callback.url.startsWith(CALLBACK)).toBe(true);
    const owner = await server.services.accounts.findAccountByEmail('owner@example.com');
    expect((await app.exchange(callback.url, auth)).claims()!.sub).toBe(owner!.id);
    expect(await identities('private2')).toMatchObject([{ account_id: owner!.id }]);
    expect(await accountCount()).toBe(accountsBefore);
  });

  it('refuses a wrong code, an expired one and a code mailed to an earlier address, with clear 400 pages', async () => {
    const accountsBefore = await accountCount();
    const { browser, back } = await startAtUpstream(app, 'private3');
    const bad = await browser.submit(back, '/federation/email', { email: 'not an email' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Enter a valid email address');

    const first = await sendCodeTo(browser, back, 'first@example.com');
    const second = await sendCodeTo(browser, back, 'second@example.com'); // "Use a different email"
    if (first.code !== second.code) {
      const old = await browser.submit(second.codePage, '/federation/email/code', { code: first.code });
      expect(old.status).toBe(400);
    }
    const wrongCode = second.code === '000000' ? '111111' : '000000';
    const wrong = await browser.submit(second.codePage, '/federation/email/code', { code: wrongCode });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('That code is not right');
    const malformed = await browser.submit(second.codePage, '/federation/email/code', { code: 'abc' });
    expect(malformed.status).toBe(400);
    expect(malformed.html).toContain('Enter the 6-digit code');

    await server.dbHandle.db('one_time_codes').where({ purpose: 'federation-email' }).whereNull('consumed_at').update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await browser.submit(second.codePage, '/federation/email/code', { code: second.code });
    expect(expired.status).toBe(400);
    expect(expired.html).toContain('That code has expired');
    expect(await identities('private3')).toHaveLength(0);
    expect(await accountCount()).toBe(accountsBefore);
    expect(await server.services.accounts.findAccountByEmail('second@example.com')).toBeUndefined();

    // A post without the CSRF field is refused.
    const forged = await browser.submit(second.codePage, '/federation/email/code', { code: second.code }, { omitCsrf: true });
    expect(forged.status).toBe(403);
  });
});
