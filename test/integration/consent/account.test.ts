// /account/consents and its Account API twin: the customer's own history only (another account's receipt
// id is a 404), receipts downloaded there verify against the receipt JWKS, and purpose choices and
// objections made there are recorded and change what other modules are told.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser, type Page } from '../../support/form-browser.ts';
import { accessTokenFor, callAccountApi, createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let settingsApp: RelyingParty;
const password = 'a long and unusual passphrase';
let mine: string;
let theirs: string;
let browser: FormBrowser;
let page: Page;

const jwks = async () => createLocalJWKSet((await (await fetch(`${server.url}/consent/receipts/jwks.json`)).json()) as JSONWebKeySet);

beforeAll(async () => {
  server = await startTestServer();
  settingsApp = await createRelyingParty(server, { clientId: 'settings-app', name: 'Settings app', scope: 'openid email account' });
  mine = await createPasswordAccount(server, 'me@example.com', password);
  theirs = await createPasswordAccount(server, 'them@example.com', password);
  await signInToAccount(server, new FormBrowser(), 'them@example.com', password, '/account/consents');
  browser = new FormBrowser();
  page = await signInToAccount(server, browser, 'me@example.com', password, '/account/consents');
});
afterAll(async () => server?.stop());

describe('/account/consents', () => {
  it('lists the customer\'s own history, and each receipt downloads and verifies', async () => {
    expect(new URL(page.url).pathname).toBe('/account/consents');
    expect(page.html).toContain('Accepted Terms of service, version 1');
    expect(page.html).not.toContain('them@example.com');
    const [record] = await server.services.consent.history(mine);
    expect(page.html).toContain(`/account/consents/${record!.id}/receipt`);
    const download = await browser.get(`${server.url}/account/consents/${record!.id}/receipt`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('application/jwt');
    expect(download.headers.get('content-disposition')).toContain('attachment');
    const { payload } = await jwtVerify(download.html, await jwks(), { issuer: server.url, subject: mine });
    expect(payload.consentReceiptID).toBe(record!.id);
  });

  it('answers 404 for another account\'s receipt id, and for ids that are no receipt at all', async () => {
    const [other] = await server.services.consent.history(theirs);
    const refused = await browser.get(`${server.url}/account/consents/${other!.id}/receipt`);
    expect(refused.status).toBe(404);
    expect(refused.html).not.toContain('eyJ');
    expect((await browser.get(`${server.url}/account/consents/rcpt_00000000-0000-4000-8000-000000000000/receipt`)).status).toBe(404);
    expect((await browser.get(`${server.url}/account/consents/..%2f..%2fjwks/receipt`)).status).toBe(404);
  });

  it('gives and withdraws consent, objects and takes the objection back, each in the history with a receipt', async () => {
    expect(page.html).toContain('Consent to Marketing');
    let after = await browser.submit(page, '/account/consents/purposes/marketing', {});
    expect(after.html).toContain('your consent is recorded');
    expect(after.html).toContain('Withdraw consent to Marketing');
    expect((await server.services.purposes.isProcessingAllowed(mine, 'marketing')).allowed).toBe(true);
    after = await browser.submit(after, '/account/consents/purposes/marketing', {});
    expect(after.html).toContain('Your consent is withdrawn.');
    expect((await server.services.purposes.isProcessingAllowed(mine, 'marketing')).allowed).toBe(false);

    after = await browser.submit(after, '/account/consents/purposes/analytics', {});
    expect(after.html).toContain('Your objection is recorded');
    expect(await server.services.purposes.isProcessingAllowed(mine, 'analytics')).toEqual({ allowed: false, reason: 'objected' });
    expect(after.html).toContain('Objected to Analytics');
    const objection = (await server.services.consent.history(mine))[0]!;
    const receipt = await browser.get(`${server.url}/account/consents/${objection.id}/receipt`);
    const { payload } = await jwtVerify(receipt.html, await jwks());
    expect(payload).toMatchObject({ legalBasis: 'legitimate_interest', action: 'withdraw', subjectKind: 'purpose', subjectRef: 'analytics' });
    // The customer's account needs its data: no button to object, and a forged post is refused with a message.
    expect(after.html).not.toContain('/account/consents/purposes/account"');
    const forged = await browser.request(`${server.url}/account/consents/purposes/account`, { method: 'POST', body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(after.html)![1]!, choice: 'object' }).toString() });
    expect(forged.status).toBe(400);
    expect(forged.html).toContain('cannot object');
  });

  it('shows an app\'s removed access (the portal\'s connected apps) with a receipt of the withdrawal', async () => {
    await server.services.consent.grantClientScopes(mine, 'settings-app', { grantedScopes: ['openid', 'email'], rejectedScopes: [], resourceScopes: {} }, { channel: 'consent-page' });
    const id = await server.services.consentWithdrawal.withdrawClientConsent(mine, 'settings-app', ['openid', 'email'], { channel: 'account' });
    const listed = await browser.get(`${server.url}/account/consents`);
    expect(listed.html).toContain('Allowed Settings app to receive: openid, email');
    expect(listed.html).toContain('Removed the access of Settings app (openid, email)');
    const { payload } = await jwtVerify((await browser.get(`${server.url}/account/consents/${id}/receipt`)).html, await jwks());
    expect(payload).toMatchObject({ action: 'withdraw', legalBasis: 'consent', subjectKind: 'client_scopes', clientId: 'settings-app' });
    expect((payload.services as { purposes: { piiCategory: string[]; consentType: string }[] }[])[0]!.purposes[0]).toMatchObject({ piiCategory: ['openid', 'email'], consentType: 'WITHDRAWN' });
  });

  it('refuses a post without its CSRF token, and a visitor without a session is sent to sign in', async () => {
    const noToken = await browser.submit(page, '/account/consents/purposes/marketing', {}, { omitCsrf: true });
    expect(noToken.status).toBe(403);
    const stranger = await fetch(`${server.url}/account/consents`, { redirect: 'manual' });
    expect(stranger.status).toBe(303);
    expect(stranger.headers.get('location')).toContain('/account/login');
  });
});

describe('the Account API twin', () => {
  it('lists the token owner\'s records and purposes, serves their receipts, records choices, and 404s another account\'s', async () => {
    const { accessToken } = await accessTokenFor(settingsApp, 'me@example.com', password, 'openid email account');
    const listed = await callAccountApi(server, '/consents', accessToken);
    expect(listed.status).toBe(200);
    const records = listed.json.records as { receipt_id: string; kind: string }[];
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.receipt_id.startsWith('rcpt_'))).toBe(true);
    const own = await callAccountApi(server, `/consents/${records[0]!.receipt_id}/receipt`, accessToken);
    expect(own.status).toBe(200);
    expect(own.json.jwks_uri).toBe(`${server.url}/consent/receipts/jwks.json`);
    await jwtVerify(String(own.json.receipt), await jwks(), { subject: mine });

    const [other] = await server.services.consent.history(theirs);
    const refused = await callAccountApi(server, `/consents/${other!.id}/receipt`, accessToken);
    expect(refused.status).toBe(404);
    expect(refused.json.error).toBe('consent.receipt_not_found');

    const granted = await callAccountApi(server, '/consents/purposes/marketing', accessToken, { method: 'POST', body: { choice: 'grant' } });
    expect(granted.status).toBe(200);
    expect(granted.json).toMatchObject({ allowed: true, reason: 'consented' });
    const record = await server.services.consent.findRecord(mine, String(granted.json.receipt_id));
    expect(record).toMatchObject({ channel: 'account-api', clientId: 'settings-app', action: 'grant' });
    const bad = await callAccountApi(server, '/consents/purposes/marketing', accessToken, { method: 'POST', body: { choice: 'maybe' } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('choice');
  });
});
