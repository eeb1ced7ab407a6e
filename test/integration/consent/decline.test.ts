// Saying no in the journey: Decline on the terms page and Deny on the consent page end the sign-in with
// access_denied to the app (checked with openid-client), and nothing is recorded as accepted or granted.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterEmailAndPassword, newBrowser } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const PASSWORD = 'a long and unusual passphrase';
let server: TestServer;
let rp: RelyingParty;

beforeAll(async () => {
  server = await startTestServer();
  rp = await createRelyingParty(server, { clientId: 'third-party', name: 'Third party', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

const ledgerOf = (accountId: string) => server.services.db('consent_records').where({ account_id: accountId }).select('subject_kind', 'action') as Promise<{ subject_kind: string; action: string }[]>;

/** openid-client's reading of the callback: the authorization error it raises. */
async function callbackError(url: string, auth: { verifier: string; state: string; nonce: string }) {
  expect(url.startsWith(CALLBACK), url).toBe(true);
  const error = await rp.exchange(url, auth).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(oidc.AuthorizationResponseError);
  return error as oidc.AuthorizationResponseError;
}

describe('declining', () => {
  it('Decline on the terms page: access_denied to the app, no acceptance in the ledger', async () => {
    const accountId = await createPasswordAccount(server, 'decliner@example.com', PASSWORD);
    const browser = newBrowser();
    const auth = await rp.authorizationUrl();
    const terms = await enterEmailAndPassword(browser, await browser.get(auth.url), 'decliner@example.com', PASSWORD);
    expect(terms.html).toContain('/terms"');
    expect(terms.html).toMatch(/<button[^>]*>Decline<\/button>/);
    const back = await browser.submit(terms, '/abort', {});
    const error = await callbackError(back.url, auth);
    expect(error.error).toBe('access_denied');
    expect(error.error_description).toBe('The customer declined the terms.');
    expect(await ledgerOf(accountId)).toEqual([]);
    expect(await server.services.consent.pendingDocuments(accountId)).not.toEqual([]);
  });

  it('Deny on the consent page: access_denied to the app, no grant in the ledger or client consents', async () => {
    const accountId = await createPasswordAccount(server, 'denier@example.com', PASSWORD);
    const browser = newBrowser();
    const auth = await rp.authorizationUrl();
    const terms = await enterEmailAndPassword(browser, await browser.get(auth.url), 'denier@example.com', PASSWORD);
    const consent = await browser.submit(terms, '/terms', { accept: 'yes' });
    expect(consent.html).toContain('/consent"');
    const back = await browser.submit(consent, '/abort', {});
    const error = await callbackError(back.url, auth);
    expect(error.error).toBe('access_denied');
    // Only the terms were accepted; nothing was granted to the app.
    expect(await ledgerOf(accountId)).toEqual([{ subject_kind: 'document', action: 'grant' }]);
    expect(await server.services.consent.findClientConsent(accountId, 'third-party')).toBeUndefined();
  });
});
