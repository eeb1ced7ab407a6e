// Communication preferences in /account/preferences: an email opt-in stays pending until the link mailed
// to the customer (read from the real SMTP capture) is followed and confirmed; SMS is immediate; opting out
// voids an old link; confirmation mails are throttled; every change is in the ledger; the API twin works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser, type Page } from '../../support/form-browser.ts';
import { accessTokenFor, callAccountApi, createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
const password = 'a long and unusual passphrase';
const email = 'subscriber@example.com';
let accountId: string;
let browser: FormBrowser;
let page: Page;

beforeAll(async () => {
  server = await startTestServer({
    preferences: {
      topics: [
        { id: 'news', texts: { en: { name: 'News and offers', description: 'Our newsletter.' } } },
        { id: 'orders', texts: { en: { name: 'Order updates', description: 'Where your parcel is.' } }, channels: ['email', 'sms'] },
      ],
      confirmationMailsPerEmail: 3,
    },
  } as never);
  accountId = await createPasswordAccount(server, email, password);
  browser = new FormBrowser();
  page = await signInToAccount(server, browser, email, password, '/account/preferences');
});
afterAll(async () => server?.stop());

const set = (choice: 'in' | 'out', topic: string, channel: string) => browser.submit(page, '/account/preferences', { topic, channel, choice });
const confirmLinks = () => server.smtp.mails.filter((m) => m.to.includes(email) && m.subject.includes('confirm'))
  .map((m) => /(http:\/\/\S+\/preferences\/confirm\/[\w-]+)/.exec(m.text)![1]!);

describe('email double opt-in', () => {
  it('stays pending until the mailed link is followed and confirmed', async () => {
    expect(page.html).toContain('Subscribe to News and offers by email');
    const after = await set('in', 'news', 'email');
    expect(after.html).toContain('we mailed you a link');
    expect(after.html).toContain('Waiting for your confirmation');
    expect(await server.services.preferences.findPreference(accountId, 'news', 'email')).toMatchObject({ status: 'pending', source: 'account' });
    expect(await server.services.preferences.isContactAllowed(accountId, 'news', 'email')).toBe(false);

    const mail = await server.smtp.waitForMail(email, (m) => m.subject.includes('confirm'));
    expect(mail.subject).toContain('News and offers');
    const link = /(http:\/\/\S+\/preferences\/confirm\/[\w-]+)/.exec(mail.text)![1]!;
    // Opening the link (as a mail scanner would) changes nothing; the button does.
    const opened = await browser.get(link);
    expect(opened.html).toContain('Confirm');
    expect(await server.services.preferences.isContactAllowed(accountId, 'news', 'email')).toBe(false);
    const confirmed = await browser.submit(opened, '/preferences/confirm/', {});
    expect(confirmed.html).toContain('You are subscribed');
    expect(await server.services.preferences.findPreference(accountId, 'news', 'email')).toMatchObject({ status: 'opted_in', source: 'email-confirmation' });
    expect(await server.services.preferences.isContactAllowed(accountId, 'news', 'email')).toBe(true);

    // A link works once; the sweeper then removes it.
    expect((await browser.get(link)).status).toBe(410);
    expect(await server.services.preferences.sweepConfirmations(100)).toBe(1);
    expect(Number((await server.dbHandle.db('preference_confirmations').count('* as n').first())!.n)).toBe(0);
    const ledger = (await server.services.consent.history(accountId)).filter((r) => r.subjectKind === 'preference');
    expect(ledger.map((r) => [r.subjectRef, r.action, r.channel])).toEqual([['news:email', 'grant', 'email-confirmation']]);
    const events = (await server.services.events.listEventsOfAccount(accountId)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['preference.pending', 'preference.updated']));
  });

  it('an opt-out in the meantime voids the link, and a confirmation post needs its CSRF token', async () => {
    await set('in', 'orders', 'email');
    const link = confirmLinks().at(-1)!;
    const opened = await browser.get(link);
    expect((await browser.submit(opened, '/preferences/confirm/', {}, { omitCsrf: true })).status).toBe(403);
    await set('out', 'orders', 'email');
    const late = await browser.submit(opened, '/preferences/confirm/', {});
    expect(late.status).toBe(410);
    expect(late.html).toContain('no longer works');
    expect(await server.services.preferences.findPreference(accountId, 'orders', 'email')).toMatchObject({ status: 'opted_out' });
  });

  it('throttles confirmation mails per email address', async () => {
    let last: Page | undefined;
    for (let i = 0; i < 3; i++) last = await set('in', 'news', 'email').then(() => set('out', 'news', 'email')).then(() => set('in', 'news', 'email'));
    expect(last!.status).toBe(429);
    expect(last!.html).toContain('Too many attempts');
    expect(confirmLinks().length).toBeLessThanOrEqual(3);
  });
});

describe('other channels and the API', () => {
  it('an SMS opt-in is immediate, an opt-out too, each with a ledger record', async () => {
    const on = await set('in', 'orders', 'sms');
    expect(on.html).toContain('you are subscribed');
    expect(await server.services.preferences.isContactAllowed(accountId, 'orders', 'sms')).toBe(true);
    await set('out', 'orders', 'sms');
    expect(await server.services.preferences.isContactAllowed(accountId, 'orders', 'sms')).toBe(false);
    const ledger = (await server.services.consent.history(accountId)).filter((r) => r.subjectRef === 'orders:sms').map((r) => r.action);
    expect(ledger).toEqual(['withdraw', 'grant']);
    // A channel the topic does not offer is refused with a message.
    const bad = await set('in', 'orders', 'push');
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('no such topic or channel');
  });

  it('the Account API lists and changes preferences', async () => {
    const app = await createRelyingParty(server, { clientId: 'settings-app', name: 'Settings app', scope: 'openid email account' });
    const { accessToken } = await accessTokenFor(app, email, password, 'openid email account');
    const listed = await callAccountApi(server, '/preferences', accessToken);
    expect(listed.status).toBe(200);
    expect(listed.json.preferences).toEqual(expect.arrayContaining([expect.objectContaining({ topic: 'news', channel: 'push', status: 'none' })]));
    const changed = await callAccountApi(server, '/preferences', accessToken, { method: 'PUT', body: { topic: 'news', channel: 'push', opt_in: true } });
    expect(changed.json).toEqual({ status: 'opted_in' });
    expect(await server.services.preferences.findPreference(accountId, 'news', 'push')).toMatchObject({ status: 'opted_in', source: 'account-api:settings-app' });
    const invalid = await callAccountApi(server, '/preferences', accessToken, { method: 'PUT', body: { topic: 'news', channel: 'fax', opt_in: true } });
    expect(invalid.status).toBe(400);
  });
});

describe('one-click unsubscribe (RFC 8058)', () => {
  it('a mail about a topic carries the link and the List-Unsubscribe headers; one POST opts out without sign-in, in the ledger; a second is harmless', async () => {
    // The first test confirmed news by email: the first mail about the topic says so, with its unsubscribe link.
    const mail = await server.smtp.waitForMail(email, (m) => m.subject.startsWith('You are subscribed'));
    expect(mail.subject).toContain('News and offers');
    const link = /(http:\/\/\S+\/preferences\/unsubscribe\/[\w.-]+)/.exec(mail.text)![1]!;
    expect(mail.headers['list-unsubscribe']).toBe(`<${link}>`);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    // Whatever the earlier tests left, be subscribed now (SMS is immediate; email is set straight in the table's owner).
    await server.services.db('communication_preferences').where({ account_id: accountId, topic: 'news', channel: 'email' }).update({ status: 'opted_in' });
    expect(await server.services.preferences.isContactAllowed(accountId, 'news', 'email')).toBe(true);

    // What a mail client sends: no cookie, no CSRF token, only the signed link.
    const oneClick = () => fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    const first = await oneClick();
    expect(first.status).toBe(200);
    expect(await server.services.preferences.findPreference(accountId, 'news', 'email')).toMatchObject({ status: 'opted_out', source: 'unsubscribe-link' });
    const withdrawals = async () => (await server.services.consent.history(accountId)).filter((r) => r.subjectRef === 'news:email' && r.action === 'withdraw' && r.channel === 'unsubscribe-link');
    expect(await withdrawals()).toHaveLength(1);
    const second = await oneClick();
    expect(second.status).toBe(200);
    expect(await withdrawals()).toHaveLength(1);
    // A burst of one-click POSTs (a mail client retrying) records one opt-out.
    await server.services.db('communication_preferences').where({ account_id: accountId, topic: 'news', channel: 'email' }).update({ status: 'opted_in' });
    const burst = await Promise.all(Array.from({ length: 6 }, oneClick));
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await withdrawals()).toHaveLength(2);

    // A forged or altered link does nothing; a plain POST without the one-click body needs the page's CSRF token.
    expect((await fetch(`${link.slice(0, -4)}AAAA`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(410);
    expect((await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status).toBe(403);
  });

  it('opening the link shows a page whose button unsubscribes (mail scanners that only fetch change nothing)', async () => {
    await server.services.db('communication_preferences').where({ account_id: accountId, topic: 'news', channel: 'email' }).update({ status: 'opted_in' });
    const mail = await server.smtp.waitForMail(email, (m) => m.subject.startsWith('You are subscribed'));
    const link = /(http:\/\/\S+\/preferences\/unsubscribe\/[\w.-]+)/.exec(mail.text)![1]!;
    const visitor = new FormBrowser();
    const opened = await visitor.get(link);
    expect(opened.html).toMatch(/<button[^>]*>Unsubscribe<\/button>/);
    expect(await server.services.preferences.isContactAllowed(accountId, 'news', 'email')).toBe(true);
    const done = await visitor.submit(opened, '/preferences/unsubscribe/', {});
    expect(done.html).toContain('You are unsubscribed');
    expect(await server.services.preferences.isContactAllowed(accountId, 'news', 'email')).toBe(false);
  });
});
