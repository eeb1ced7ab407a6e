// The privacy section of /account and its Account API twin: download my data, restrict processing, erase
// (confirmed, CSRF, fresh sign-in), and cancelling by signing in again with the password or by the mailed link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { enterEmailAndPassword, throughPrompts } from '../../support/journey.ts';
import { accessTokenFor, callAccountApi, createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let settingsApp: RelyingParty;
const password = 'a long and unusual passphrase';
const PAGE_EMAIL = 'portal.privacy@example.com';
const API_EMAIL = 'api.privacy@example.com';
let pageAccount: string;
let apiAccount: string;

beforeAll(async () => {
  server = await startTestServer();
  pageAccount = await createPasswordAccount(server, PAGE_EMAIL, password);
  apiAccount = await createPasswordAccount(server, API_EMAIL, password);
  settingsApp = await createRelyingParty(server, { clientId: 'settings-app', name: 'Settings app', scope: 'openid email account' });
});
afterAll(async () => server?.stop());

describe('/account/privacy', () => {
  let browser: FormBrowser;

  it('offers the export, the restriction and the erasure; the export downloads the whole document', async () => {
    browser = new FormBrowser();
    const page = await signInToAccount(server, browser, PAGE_EMAIL, password, '/account/privacy');
    for (const text of ['Download my data', 'Restrict processing', 'Erase my account']) expect(page.html).toContain(text);
    const download = await browser.get(`${server.url}/account/privacy/export`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="foyer-export-/);
    const document = JSON.parse(download.html) as { subject: string; identifiers: { email: string }[] };
    expect(document.subject).toBe(pageAccount);
    expect(document.identifiers[0]!.email).toBe(PAGE_EMAIL);
  });

  it('restricts processing and lifts it again', async () => {
    const page = await browser.get(`${server.url}/account/privacy`);
    const restricted = await browser.submit(page, '/account/privacy/restriction', {});
    expect(restricted.html).toContain('Processing is restricted');
    expect(await server.services.privacy.restriction.isRestricted(pageAccount)).toBe(true);
    const lifted = await browser.submit(restricted, '/account/privacy/restriction', {});
    expect(lifted.html).toContain('The restriction is lifted.');
    expect(await server.services.privacy.restriction.isRestricted(pageAccount)).toBe(false);
  });

  it('asks for a confirmation, a CSRF token and a recent sign-in before erasing', async () => {
    const page = await browser.get(`${server.url}/account/privacy`);
    const unconfirmed = await browser.submit(page, '/account/privacy/erase', {});
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.html).toContain('Tick the box');
    expect((await browser.submit(page, '/account/privacy/erase', { confirm: 'yes' }, { omitCsrf: true })).status).toBe(403);
    await server.services.db('portal_sessions').where({ account_id: pageAccount }).update({ auth_time: new Date(Date.now() - 3600_000) });
    const stale = await browser.submit(page, '/account/privacy/erase', { confirm: 'yes' });
    expect(stale.url).toContain('/interaction/');
    expect(await server.services.privacy.erasure.erasureStatus(pageAccount)).toEqual({ state: 'none' });
  });

  it('erases after a fresh sign-in: signed out at once; signing in again shows the erasure and "Cancel erasure" brings the customer back', async () => {
    browser = new FormBrowser();
    const page = await signInToAccount(server, browser, PAGE_EMAIL, password, '/account/privacy');
    const done = await browser.submit(page, '/account/privacy/erase', { confirm: 'yes' });
    expect(done.html).toContain('Your account will be erased');
    expect(await server.services.privacy.erasure.erasureStatus(pageAccount)).toMatchObject({ state: 'pending' });
    expect(await server.services.db('portal_sessions').where({ account_id: pageAccount })).toHaveLength(0);
    const again = await browser.get(`${server.url}/account/overview`);
    expect(again.html).toContain('name="email"');
    const refused = await enterEmailAndPassword(browser, again, PAGE_EMAIL, password);
    expect(refused.html).toContain('This account is being erased');
    const back = await throughPrompts(browser, await browser.submit(refused, '/erasure/cancel', {}));
    expect(new URL(back.url).pathname).toBe('/account/overview');
    expect(back.html).toContain(PAGE_EMAIL);
    expect(await server.services.privacy.erasure.erasureStatus(pageAccount)).toEqual({ state: 'none' });
  });
});

describe('/account/api/privacy', () => {
  it('reads the status, sets the restriction, exports, and refuses bad bodies with 400 JSON', async () => {
    const { accessToken } = await accessTokenFor(settingsApp, API_EMAIL, password, 'openid email account');
    const status = await callAccountApi(server, '/privacy', accessToken);
    expect(status.json).toEqual({ processing_restricted: false, erasure: { state: 'none' }, erasure_grace_days: 14 });
    const restricted = await callAccountApi(server, '/privacy/restriction', accessToken, { method: 'PUT', body: { restricted: true } });
    expect(restricted.json).toMatchObject({ processing_restricted: true });
    const bad = await callAccountApi(server, '/privacy/restriction', accessToken, { method: 'PUT', body: { restricted: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('restricted');
    await callAccountApi(server, '/privacy/restriction', accessToken, { method: 'PUT', body: { restricted: false } });
    const exported = await callAccountApi(server, '/privacy/export', accessToken);
    expect(exported.status).toBe(200);
    expect(exported.json).toMatchObject({ subject: apiAccount, format: 'foyer.export/1' });
  });

  it('erases with {"confirm": true} (202), and the token stops working at once', async () => {
    const { accessToken } = await accessTokenFor(settingsApp, API_EMAIL, password, 'openid email account');
    const unconfirmed = await callAccountApi(server, '/privacy/erasure', accessToken, { method: 'POST', body: {} });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json.message).toContain('confirm');
    const erased = await callAccountApi(server, '/privacy/erasure', accessToken, { method: 'POST', body: { confirm: true } });
    expect(erased.status).toBe(202);
    expect(erased.json).toMatchObject({ erasure: { state: 'pending', cancellable: true } });
    expect((await callAccountApi(server, '/privacy', accessToken)).status).toBe(401);
  });

  it('mails the date and a link that keeps the account without signing in (once, CSRF-checked)', async () => {
    const mail = await server.smtp.waitForMail(API_EMAIL, (m) => m.subject.includes('will be erased on'));
    const link = /(http:\/\/\S+\/account\/erasure\/cancel\/[\w.-]+)/.exec(mail.text)![1]!;
    expect(mail.text).toContain('Keep my account');
    const browser = new FormBrowser();
    const page = await browser.get(link);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Keep my account');
    expect(await server.services.privacy.erasure.erasureStatus(apiAccount)).toMatchObject({ state: 'pending' });
    expect((await browser.submit(page, '/account/erasure/cancel/', {}, { omitCsrf: true })).status).toBe(403);
    const kept = await browser.submit(page, '/account/erasure/cancel/', {});
    expect(kept.html).toContain('Your account is kept');
    expect(await server.services.privacy.erasure.erasureStatus(apiAccount)).toEqual({ state: 'none' });
    expect((await server.services.accounts.findAccountById(apiAccount))!.status).toBe('active');
    const again = await browser.get(link);
    expect(again.status).toBe(400);
    expect(again.html).toContain('This link has expired');
    expect((await browser.get(`${server.url}/account/erasure/cancel/flow_nonsense.x`)).status).toBe(400);
  });

  it('mails no cancel link for an immediate erasure', async () => {
    const id = await createPasswordAccount(server, 'now.erased@example.com', password);
    await server.services.privacy.erasure.requestErasure(id, { channel: 'cli', graceDays: 0 });
    expect(await server.dbHandle.db('flows').where({ kind: 'erasure_cancel_link', account_id: id })).toEqual([]);
  });
});
