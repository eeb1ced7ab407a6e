// Passwordless sign-in by email: one mail with a code and a link for the same attempt, either usable once;
// the same pages for known and unknown emails; accounts created or activated by the code; throttles.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { consentIfAsked, newBrowser } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom, type CapturedMail } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import * as emailSignInMigration from '../../../migrations/20261122100000_email_sign_in.ts';
import { emailSignInFlow } from '../../../src/flows/kinds/sign-in.ts';

let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  // Every request here comes from 127.0.0.1: lift the per-address mail ceiling so only per-email limits show.
  server = await startTestServer({ throttle: { codeSendsPerAddress: 1000 } });
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `index`-th sign-in mail to `email` (0 = the first), once it has arrived. */
async function signInMail(email: string, index = 0): Promise<CapturedMail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mail = server.smtp.mails.filter((m) => m.to.includes(email) && m.subject.includes('sign-in code'))[index];
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no sign-in mail #${index} to ${email}`);
    await sleep(50);
  }
}

const linkFrom = (mail: CapturedMail) => {
  const match = /(http:\/\/\S+\/signin\/link\/[\w-]+)/.exec(mail.text);
  if (!match) throw new Error(`no sign-in link in "${mail.subject}"`);
  return match[1]!;
};

/** Starts an authorization, gives the email, and presses "Email me a code": returns the "Check your email" page. */
async function askForCode(email: string, browser = newBrowser()) {
  const auth = await app.authorizationUrl();
  const passwordPage = await browser.submit(await browser.get(auth.url), '/identify', { email });
  expect(passwordPage.html).toContain('Email me a code');
  const sent = await browser.submit(passwordPage, '/email-code/send', {});
  return { browser, auth, sent };
}

/** Accepts the terms (asked once of accounts made without the sign-up form) and consents, up to the callback. */
async function toCallback(browser: FormBrowser, page: Page): Promise<Page> {
  const afterTerms = page.html.includes('/terms"') ? await browser.submit(page, '/terms', { accept: 'yes' }) : page;
  const done = await consentIfAsked(browser, afterTerms);
  expect(done.url.startsWith(CALLBACK), done.html.slice(0, 500)).toBe(true);
  return done;
}

/** The amr of the account's sign-in sessions (oidc-provider keeps it on the session; ID tokens here do not carry it). */
async function sessionAmrs(accountId: string): Promise<unknown[]> {
  const rows = await server.dbHandle.db('oidc_models').where({ model: 'Session', account_id: accountId }).select('payload') as { payload: { amr?: string[] } }[];
  return rows.map((row) => row.payload.amr);
}

const interactionUid = (page: Page) => /\/interaction\/([\w-]+)\//.exec(page.url)![1]!;

describe('signing in with an emailed code', () => {
  it('signs a known account in with amr otp, and marks its email verified', async () => {
    const email = 'known@example.com';
    const hash = await server.services.hasher.hash('a long and unusual passphrase');
    const account = await server.services.accounts.insertAccount({ email, status: 'active', passwordHash: hash, emailVerified: false });
    const { browser, auth, sent } = await askForCode(email);
    expect(sent.status).toBe(200);
    expect(sent.url).toMatch(/\/email-code$/);
    expect(sent.html).toContain('Check your email');
    expect(sent.html).toContain('name="code"');
    const mail = await signInMail(email);
    expect(mail.text).toContain('sign in to your Foyer account');
    expect(mail.text).toContain(`${server.url}/signin/link/`);
    const tokens = await app.exchange((await toCallback(browser, await browser.submit(sent, '/email-code/verify', { code: codeFrom(mail) }))).url, auth);
    expect(tokens.claims()!.sub).toBe(account.id);
    expect(await sessionAmrs(account.id)).toEqual([['otp']]);
    const after = (await server.services.accounts.findAccountByEmail(email))!;
    expect(after).toMatchObject({ status: 'active', emailVerified: true, passwordHash: hash });
  });

  it('shows the same pages for an unknown email, whose correct code creates a verified account without a password', async () => {
    const known = await askForCode('known@example.com');
    const unknown = await askForCode('newcomer@example.com');
    const strip = (html: string) => html.replace(/known@example\.com|newcomer@example\.com/g, 'EMAIL').replace(/value="[^"]+"/g, '').replace(/\/interaction\/[\w-]+\//g, '/interaction/UID/');
    expect(strip(unknown.sent.html)).toBe(strip(known.sent.html));
    expect(await server.services.accounts.findAccountByEmail('newcomer@example.com')).toBeUndefined();

    const mail = await signInMail('newcomer@example.com');
    expect(mail.text).toContain('create your Foyer account');
    const callback = await toCallback(unknown.browser, await unknown.browser.submit(unknown.sent, '/email-code/verify', { code: codeFrom(mail) }));
    const tokens = await app.exchange(callback.url, unknown.auth);
    const account = (await server.services.accounts.findAccountByEmail('newcomer@example.com'))!;
    expect(account).toMatchObject({ id: tokens.claims()!.sub, status: 'active', emailVerified: true, passwordHash: null });
    const info = await oidc.fetchUserInfo(app.config, tokens.access_token, account.id);
    expect(info).toMatchObject({ email: 'newcomer@example.com', email_verified: true });
  });

  it('activates a lite account on its first sign-in, without giving it a password', async () => {
    const email = 'lite@example.com';
    const lite = await server.services.accounts.insertAccount({ email, status: 'lite', emailVerified: false });
    const { browser, sent } = await askForCode(email);
    await toCallback(browser, await browser.submit(sent, '/email-code/verify', { code: codeFrom(await signInMail(email)) }));
    expect(await server.services.accounts.findAccountByEmail(email)).toMatchObject({ id: lite.id, status: 'active', emailVerified: true, passwordHash: null });
  });

  it('sends nothing to a disabled account, and answers with the same page', async () => {
    await server.services.accounts.insertAccount({ email: 'disabled@example.com', status: 'disabled', emailVerified: true });
    const { sent } = await askForCode('disabled@example.com');
    expect(sent.html).toContain('Check your email');
    await sleep(300);
    expect(server.smtp.mails.some((m) => m.to.includes('disabled@example.com'))).toBe(false);
  });
});

describe('codes that are refused', () => {
  it('an expired code, with a message saying so', async () => {
    const email = 'late@example.com';
    const { browser, sent } = await askForCode(email);
    const code = codeFrom(await signInMail(email));
    await server.dbHandle.db('one_time_codes').where({ purpose: 'sign-in' })
      .whereIn('flow_id', server.dbHandle.db('flows').select('id').where({ interaction_uid: interactionUid(sent), kind: 'email_sign_in' }))
      .update({ expires_at: new Date(Date.now() - 1000) });
    const page = await browser.submit(sent, '/email-code/verify', { code });
    expect(page.status).toBe(400);
    expect(page.html).toContain('That code has expired or was already used. Ask for a new one.');
  });

  it('a code used once already', async () => {
    const email = 'once@example.com';
    const { browser, sent } = await askForCode(email);
    const code = codeFrom(await signInMail(email));
    await toCallback(browser, await browser.submit(sent, '/email-code/verify', { code }));
    expect(await server.services.emailSignIn.verifyEmailCode({ interactionUid: interactionUid(sent), code, address: '127.0.0.1' })).toEqual({ status: 'expired' });
    const again = await browser.submit(sent, '/email-code/verify', { code });
    expect(again.status).toBe(400);
    expect(again.url.startsWith(CALLBACK)).toBe(false);
  });

  it('a right code after too many wrong ones; a fresh code then works', async () => {
    const email = 'guess@example.com';
    const { browser, sent } = await askForCode(email);
    const code = codeFrom(await signInMail(email));
    const wrong = code === '000000' ? '111111' : '000000';
    let page = await browser.submit(sent, '/email-code/verify', { code: wrong });
    expect(page.html).toContain('That code is not right');
    for (let i = 1; i < 5; i++) page = await browser.submit(sent, '/email-code/verify', { code: wrong });
    expect(page.status).toBe(400);
    expect(page.html).toContain('Too many wrong codes. Ask for a new one.');
    const right = await browser.submit(sent, '/email-code/verify', { code });
    expect(right.status).toBe(429);
    expect(right.html).toContain('Too many attempts');
    expect(await server.services.accounts.findAccountByEmail(email)).toBeUndefined();

    const resent = await browser.submit(right, '/email-code/send', {});
    expect(resent.html).toContain('Check your email');
    const fresh = codeFrom(await signInMail(email, 1));
    await toCallback(browser, await browser.submit(resent, '/email-code/verify', { code: fresh }));
    expect(await server.services.accounts.findAccountByEmail(email)).toMatchObject({ status: 'active' });
  });

  it('a code from an earlier mail, once a new one was sent', async () => {
    const email = 'twice@example.com';
    const { browser, sent } = await askForCode(email);
    const first = await signInMail(email);
    const resent = await browser.submit(sent, '/email-code/send', {});
    const second = await signInMail(email, 1);
    if (codeFrom(first) !== codeFrom(second)) {
      expect((await browser.submit(resent, '/email-code/verify', { code: codeFrom(first) })).html).toContain('That code is not right');
    }
    expect((await browser.get(linkFrom(first))).status).toBe(400);
    await toCallback(browser, await browser.submit(resent, '/email-code/verify', { code: codeFrom(second) }));
  });

  it('malformed input gets a clear 4xx page', async () => {
    const { browser, sent } = await askForCode('typo@example.com');
    const page = await browser.submit(sent, '/email-code/verify', { code: 'abc' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('Enter the 6-digit code from the email.');
    expect((await browser.get(`${server.url}/signin/link/${'x'.repeat(5000)}`)).status).toBe(400);
    for (const bad of ['%00', '%FF%FE', '%E0%A4%A', '..%2F..%2Fetc']) {
      const res = await browser.get(`${server.url}/signin/link/${bad}`);
      expect(res.status, bad).toBeGreaterThanOrEqual(400);
      expect(res.status, bad).toBeLessThan(500);
    }
    const res = await fetch(`${server.url}/signin/link/${'a'.repeat(43)}`, { method: 'POST', body: '_csrf=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(403);
  });
});

describe('the mailed link', () => {
  /** The code a link's page shows to a browser other than the one that asked. */
  const shownCode = (page: Page) => {
    const match = /<strong>(\d{6})<\/strong>/.exec(page.html);
    if (!match) throw new Error(`no code on ${page.url}:\n${page.html.slice(0, 1500)}`);
    return match[1]!;
  };
  /** A page under /signin/link of this browser's own (its own sign-in's link), carrying a CSRF token valid there. */
  const ownLinkPage = async (browser: FormBrowser, email: string) => {
    await askForCode(email, browser);
    return browser.get(linkFrom(await signInMail(email)));
  };
  /** A form on `page` posting to `action` with this browser's own CSRF token (as a hand-made form would). */
  const forgeForm = (page: Page, action: string): Page => {
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;
    return { ...page, html: `<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${csrf}"></form>` };
  };

  it('shows a page on GET (used by nothing, so mail scanners cannot spend it); the asking browser needs a CSRF-checked POST', async () => {
    const email = 'scanned@example.com';
    const { browser } = await askForCode(email);
    const link = linkFrom(await signInMail(email));
    // A scanner without cookies fetches the link twice; both see the code page, nothing is used up.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(link);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Type this code in the browser where you started signing in');
    }
    const page = await browser.get(link);
    expect(page.html).toContain(email);
    expect(page.html).toMatch(/<button type="submit">Sign in<\/button>/);
    const forged = await browser.submit(page, '/signin/link/', {}, { omitCsrf: true });
    expect(forged.status).toBe(403);
  });

  it('is recognised by an HttpOnly, SameSite=Lax cookie for the link\'s path, whose value is kept only as a hash', async () => {
    const email = 'cookie@example.com';
    const browser = newBrowser();
    const auth = await app.authorizationUrl();
    const passwordPage = await browser.submit(await browser.get(auth.url), '/identify', { email });
    browser.stopAt = (url) => url.endsWith('/email-code');
    const response = await browser.submit(passwordPage, '/email-code/send', {});
    browser.stopAt = () => false;
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('foyer.signin_browser='))!;
    expect(setCookie).toMatch(/path=\/signin\/link/i);
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);
    expect(setCookie).not.toMatch(/secure/i); // the test issuer is http; Secure whenever it is https
    const sent = await browser.submit(passwordPage, '/email-code/send', {});
    const value = browser.cookie('foyer.signin_browser');
    expect(value).toMatch(/^[\w-]{43}$/);
    const flow = await server.services.flows.findFlowForInteraction(interactionUid(sent), emailSignInFlow);
    expect(JSON.stringify(flow)).not.toContain(value!);
    // A second request in the same browser keeps its value (two tabs stay one browser).
    await browser.submit(sent, '/email-code/send', {});
    expect(browser.cookie('foyer.signin_browser')).toBe(value);
  });

  it('opened in another browser shows the code and does not finish the waiting sign-in; the code typed there does', async () => {
    const email = 'twodevices@example.com';
    const { browser, auth, sent } = await askForCode(email);
    const mail = await signInMail(email);

    const other = newBrowser();
    const linkPage = await other.get(linkFrom(mail));
    expect(linkPage.status).toBe(200);
    expect(linkPage.html).toContain('Type this code in the browser where you started signing in');
    expect(shownCode(linkPage)).toBe(codeFrom(mail));
    expect(linkPage.html).not.toContain('<form');
    // Even a CSRF-valid post of the link from that browser only shows the code again.
    const own = await ownLinkPage(other, 'other-device@example.com');
    const posted = await other.submit(forgeForm(own, new URL(linkFrom(mail)).pathname), '/signin/link/', {});
    expect(posted.status).toBe(200);
    expect(shownCode(posted)).toBe(codeFrom(mail));

    // The waiting browser is not signed in: its link return leads back to the code page, no code reaches the app.
    const uid = interactionUid(sent);
    expect((await server.services.flows.findFlowForInteraction(uid, emailSignInFlow))?.state).toBe('code_sent');
    const stillWaiting = await browser.get(`${server.url}/interaction/${uid}/email-code/linked`);
    expect(stillWaiting.url.startsWith(CALLBACK)).toBe(false);
    const asks = await browser.get(`${server.url}/interaction/${uid}/email-code`);
    expect(asks.html).toContain('name="code"');
    expect(asks.html).not.toContain('/email-code/continue');
    const oldContinue = await browser.submit(forgeForm(asks, `/interaction/${uid}/email-code/continue`), '/email-code/continue', {});
    expect(oldContinue.status).toBe(404);

    const callback = await toCallback(browser, await browser.submit(asks, '/email-code/verify', { code: shownCode(linkPage) }));
    const tokens = await app.exchange(callback.url, auth);
    const accountId = (await server.services.accounts.findAccountByEmail(email))!.id;
    expect(tokens.claims()!.sub).toBe(accountId);
    expect(await sessionAmrs(accountId)).toEqual([['otp']]);
    // The link died with the code.
    expect((await other.get(linkFrom(mail))).status).toBe(400);
  });

  it('someone who starts a sign-in for another person\'s address gets nothing when that person opens the link', async () => {
    const victim = 'victim@example.com';
    await server.services.accounts.insertAccount({ email: victim, status: 'active', emailVerified: true });
    const attacker = await askForCode(victim);
    const mail = await signInMail(victim);
    const victimBrowser = newBrowser();
    const page = await victimBrowser.get(linkFrom(mail));
    expect(page.html).toContain('Type this code in the browser where you started signing in');
    const own = await ownLinkPage(victimBrowser, 'victim-own@example.com');
    const pressed = await victimBrowser.submit(forgeForm(own, new URL(linkFrom(mail)).pathname), '/signin/link/', {});
    expect(pressed.status).toBe(200);
    expect(pressed.html).toContain('Type this code in the browser where you started signing in');
    const uid = interactionUid(attacker.sent);
    const after = await attacker.browser.get(`${server.url}/interaction/${uid}/email-code/linked`);
    expect(after.url.startsWith(CALLBACK)).toBe(false);
    expect((await attacker.browser.get(`${server.url}/interaction/${uid}/email-code`)).html).toContain('name="code"');
    expect(await server.dbHandle.db('oidc_models').where({ model: 'Session' }).whereNotNull('account_id')
      .andWhere('account_id', (await server.services.accounts.findAccountByEmail(victim))!.id)).toHaveLength(0);
  });

  it('opened in the same browser finishes the waiting authorization with one press, once', async () => {
    const email = 'samebrowser@example.com';
    const { browser, auth } = await askForCode(email);
    const link = linkFrom(await signInMail(email));
    const page = await browser.get(link);
    expect(page.html).not.toContain('Type this code');
    const callback = await toCallback(browser, await browser.submit(page, '/signin/link/', {}));
    const sub = (await app.exchange(callback.url, auth)).claims()!.sub;
    expect(await sessionAmrs(sub)).toEqual([['otp']]);
    const again = await browser.submit(page, '/signin/link/', {});
    expect(again.status).toBe(400);
    expect(again.html).toContain('This sign-in link has expired or was already used');
    expect((await browser.get(link)).status).toBe(400);
  });

  it('and the code of the same attempt: using one kills the other', async () => {
    // The code first: the link is spent.
    const first = await askForCode('codefirst@example.com');
    const mail = await signInMail('codefirst@example.com');
    await toCallback(first.browser, await first.browser.submit(first.sent, '/email-code/verify', { code: codeFrom(mail) }));
    expect((await newBrowser().get(linkFrom(mail))).status).toBe(400);
    expect((await first.browser.get(linkFrom(mail))).status).toBe(400);

    // The link first (in the asking browser): the code is spent.
    const second = await askForCode('linkfirst@example.com');
    const mail2 = await signInMail('linkfirst@example.com');
    await toCallback(second.browser, await second.browser.submit(await second.browser.get(linkFrom(mail2)), '/signin/link/', {}));
    const refused = await second.browser.submit(second.sent, '/email-code/verify', { code: codeFrom(mail2) });
    expect(refused.status).toBe(400);
    expect(refused.url.startsWith(CALLBACK)).toBe(false);
  });

  it('is stored only as a hash', async () => {
    const email = 'hashed@example.com';
    const { sent } = await askForCode(email);
    const token = linkFrom(await signInMail(email)).split('/').pop()!;
    const rows = await server.dbHandle.db('sign_in_links').where({ interaction_uid: interactionUid(sent) });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});

describe('code mails', () => {
  it('past the per-email cap are slowed down with a clear message, never refused for the whole window', async () => {
    const email = 'flood@example.com';
    const { browser, sent } = await askForCode(email);
    let page = sent;
    for (let i = 1; i < 5; i++) page = await browser.submit(page, '/email-code/send', {});
    expect(page.html).toContain('Check your email');
    const refused = await browser.submit(page, '/email-code/send', {});
    expect(refused.status).toBe(429);
    expect(refused.html).toContain('Too many attempts. Try again in 30 seconds');
    await signInMail(email, 4);
    await sleep(200);
    expect(server.smtp.mails.filter((m) => m.to.includes(email))).toHaveLength(5);

    // The owner, in another browser, waits one slot (the clock of the last mail moved back by one), and gets a code.
    await server.services.db('throttles').update({ last_hit_at: server.services.db.raw("last_hit_at - interval '31 seconds'") });
    const owner = await askForCode(email);
    expect(owner.sent.status).toBe(200);
    expect(owner.sent.html).toContain('Check your email');
    const code = codeFrom(await signInMail(email, 5));
    // The next mail waits for the next slot again.
    const again = await browser.submit(page, '/email-code/send', {});
    expect(again.status).toBe(429);
    await toCallback(owner.browser, await owner.browser.submit(owner.sent, '/email-code/verify', { code }));
  });
});

describe('the email sign-in migration', () => {
  it('creates sign_in_links and known_devices, and runs again without error', async () => {
    const { db } = server.dbHandle;
    for (const table of ['sign_in_links', 'known_devices']) expect(await db.schema.hasTable(table), table).toBe(true);
    await emailSignInMigration.up(db);
    await emailSignInMigration.up(db);
    expect(await db.schema.hasTable('sign_in_links')).toBe(true);
  });

  it('removes a flow\'s links with the flow', async () => {
    const { sent } = await askForCode('swept@example.com');
    const flow = await server.services.flows.findFlowForInteraction(interactionUid(sent), emailSignInFlow);
    expect(await server.dbHandle.db('sign_in_links').where({ flow_id: flow!.id })).toHaveLength(1);
    await server.services.flows.deleteFlow(flow!.id);
    expect(await server.dbHandle.db('sign_in_links').where({ flow_id: flow!.id })).toHaveLength(0);
  });
});
