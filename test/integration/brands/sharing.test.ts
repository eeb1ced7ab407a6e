// Sharing across brands: after signing in at brand A (and giving profile fields there), the first visit to
// brand B costs no password, asks B's terms, then which existing fields to share with B (nothing ticked). B's
// apps receive only what was shared; B's second app asks nothing; stopping on the account pages is immediate;
// parallel submissions of the form record one answer in the ledger; a value first given at A and edited later
// through B's app stays A's (B gets it only when shared).
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAND_DOCUMENTS, setUpTwoBrands } from '../../support/brands.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { newBrowser, signUp, throughPrompts } from '../../support/journey.ts';
import { callAccountApi, signInToAccount } from '../../support/portal.ts';
import { CALLBACK, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let apps: Awaited<ReturnType<typeof setUpTwoBrands>>['apps'];
const password = 'a lantern on the quay';
const NAMES = JSON.stringify({ id_token: { given_name: null, family_name: null } });

beforeAll(async () => {
  server = await startTestServer({
    profile: { fields: [
      { key: 'given_name', label: { en: 'First name' } },
      { key: 'family_name', label: { en: 'Last name' } },
    ] },
    consent: { purposes: [{ id: 'account', legalBasis: 'contract', dataCategories: ['email'], texts: { en: { name: 'Your account', description: 'Your account.' } } }], documents: BRAND_DOCUMENTS },
  } as never);
  ({ apps } = await setUpTwoBrands(server, {
    appInput: (id) => ({ scope: id === 'beta-shop' ? 'openid email profile account' : 'openid email profile', ...(id === 'acme-shop' ? { profileRequired: ['given_name', 'family_name'] } : {}) }),
  }));
});
afterAll(async () => server?.stop());

/** Signs up at acme-shop, giving a given and family name there; the browser keeps the session. */
async function customerOfAcme(email: string): Promise<FormBrowser> {
  const browser = newBrowser();
  const afterSignUp = await signUp(server, browser, await browser.get((await apps['acme-shop'].authorizationUrl()).url), email, password);
  const profile = await throughPrompts(browser, afterSignUp);
  expect(profile.html, `${profile.status} ${profile.url}`).toContain('name="given_name"');
  const done = await browser.submit(profile, '/profile', { given_name: 'Ada', family_name: 'Lovelace' });
  expect(done.url.startsWith(CALLBACK)).toBe(true);
  return browser;
}

async function claimsAt(browser: FormBrowser, app: RelyingParty): Promise<{ idToken: Record<string, unknown>; userinfo: Record<string, unknown> }> {
  const auth = await app.authorizationUrl({ claims: NAMES });
  const page = await throughPrompts(browser, await browser.get(auth.url));
  expect(page.url.startsWith(CALLBACK), page.url).toBe(true);
  const tokens = await app.exchange(page.url, auth);
  const idToken = tokens.claims()! as Record<string, unknown>;
  const userinfo = await oidc.fetchUserInfo(app.config, tokens.access_token, String(idToken.sub)) as Record<string, unknown>;
  return { idToken, userinfo };
}

const sharingRecords = async (brand: string) => server.dbHandle.db('consent_records').where({ subject_kind: 'brand_sharing', subject_ref: brand }).orderBy('created_at').select('id', 'action', 'details');

describe('sharing profile fields with a second brand', () => {
  it('asks B\'s terms and the sharing question, not the password, and B receives only what was shared', async () => {
    const browser = await customerOfAcme('ada@example.com');
    const acme = await claimsAt(browser, apps['acme-club']);
    expect(acme.userinfo).toMatchObject({ given_name: 'Ada', family_name: 'Lovelace' });

    const auth = await apps['beta-shop'].authorizationUrl({ claims: NAMES });
    const atBeta = await browser.get(auth.url);
    expect(atBeta.html).not.toContain('name="password"');
    expect(atBeta.html).toContain('Beta club rules');
    const question: Page = await browser.submit(atBeta, '/terms', { accept: 'yes' });
    expect(question.url).toContain('/share');
    expect(question.html).toContain('Share your details with Beta?');
    expect(question.html).toContain('value="given_name"');
    expect(question.html).toContain('value="family_name"');
    expect(question.html).not.toMatch(/type="checkbox" value="[a-z_]+" checked/);
    const back = await throughPrompts(browser, await browser.submit(question, '/share', { share: ['given_name'] }));
    expect(back.url.startsWith(CALLBACK), back.url).toBe(true);
    const tokens = await apps['beta-shop'].exchange(back.url, auth);
    const idToken = tokens.claims()!;
    expect(idToken.given_name).toBe('Ada');
    expect(idToken.family_name).toBeUndefined();
    const userinfo = await oidc.fetchUserInfo(apps['beta-shop'].config, tokens.access_token, idToken.sub);
    expect(userinfo.given_name).toBe('Ada');
    expect(userinfo.family_name).toBeUndefined();
    expect(userinfo.name).toBe('Ada');
    expect(userinfo.email).toBe('ada@example.com');

    const records = await sharingRecords('beta');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: 'grant', details: { brand: 'beta', fields: ['given_name'] } });

    // Brand B's second app asks nothing, and gets the same.
    const club = await claimsAt(browser, apps['beta-club']);
    expect(club.userinfo.given_name).toBe('Ada');
    expect(club.userinfo.family_name).toBeUndefined();
    // Brand A's apps still get everything.
    expect((await claimsAt(browser, apps['acme-club'])).userinfo.family_name).toBe('Lovelace');

    // Stopping on the account pages: at once, with a withdraw record in the ledger.
    const portal = newBrowser();
    const sharing = await signInToAccount(server, portal, 'ada@example.com', password, '/account/sharing');
    expect(sharing.html).toContain('data-brand="beta"');
    const after = await portal.submit(sharing, '/account/sharing/beta/unshare', { field: 'given_name' });
    expect(after.html).toContain('Stopped sharing');
    const refreshed = await oidc.fetchUserInfo(apps['beta-shop'].config, tokens.access_token, idToken.sub);
    expect(refreshed.given_name).toBeUndefined();
    expect(refreshed.email).toBe('ada@example.com');
    expect((await sharingRecords('beta')).map((r) => (r as { action: string }).action)).toEqual(['grant', 'withdraw']);
    // A receipt for the answer, on the account pages.
    const receipt = await portal.get(`${server.url}/account/consents/${(records[0] as { id: string }).id}/receipt`);
    expect(receipt.status).toBe(200);
    // The history names the brand and the fields as the customer knows them, not by their ids.
    const history = (await portal.get(`${server.url}/account/consents`)).html;
    expect(history).toContain('Shared with the brand Beta: First name');
    expect(history).toContain('Stopped sharing with the brand Beta: First name');
  });

  it('records one answer when the form is sent twice at once', async () => {
    const browser = await customerOfAcme('grace@example.com');
    const atBeta = await browser.get((await apps['beta-shop'].authorizationUrl()).url);
    const question = await browser.submit(atBeta, '/terms', { accept: 'yes' });
    expect(question.url).toContain('/share');
    const answers = await Promise.all([
      browser.submit(question, '/share', { share: ['given_name'] }),
      browser.submit(question, '/share', { share: ['family_name'] }),
    ]);
    for (const answer of answers) expect(answer.status).toBeLessThan(500);
    const account = await server.services.accounts.findAccountByEmail('grace@example.com');
    const records = await server.dbHandle.db('consent_records').where({ account_id: account!.id, subject_kind: 'brand_sharing' });
    expect(records).toHaveLength(1);
    expect(await server.dbHandle.db('brand_shares').where({ account_id: account!.id, brand_id: 'beta' })).toHaveLength(1);
  });

  it('keeps a value A\'s when it was first given at A and edited later through B\'s app', async () => {
    const browser = await customerOfAcme('ida@example.com');
    const atBeta = await browser.get((await apps['beta-shop'].authorizationUrl()).url);
    const question = await browser.submit(atBeta, '/terms', { accept: 'yes' });
    expect(question.url).toContain('/share');
    expect((await throughPrompts(browser, await browser.submit(question, '/share', {}))).url.startsWith(CALLBACK)).toBe(true);

    // Beta's app edits the family name through the Account API: the value is new, its origin is not.
    const auth = await apps['beta-shop'].authorizationUrl({ scope: 'openid email profile account' });
    const back = await throughPrompts(browser, await browser.get(auth.url));
    expect(back.url.startsWith(CALLBACK), back.url).toBe(true);
    const token = (await apps['beta-shop'].exchange(back.url, auth)).access_token;
    const edited = await callAccountApi(server, '/profile', token, { method: 'PATCH', body: { family_name: 'King' } });
    expect(edited.status).toBe(200);
    const account = await server.services.accounts.findAccountByEmail('ida@example.com');
    expect(await server.dbHandle.db('profile_values').where({ account_id: account!.id, field: 'family_name' }).first('client_id', 'first_client_id'))
      .toEqual({ client_id: 'beta-shop', first_client_id: 'acme-shop' });

    const beta = await claimsAt(browser, apps['beta-club']);
    expect(beta.userinfo.family_name).toBeUndefined();
    expect(beta.idToken.family_name).toBeUndefined();
    expect(beta.userinfo.email).toBe('ida@example.com');
    // Acme's apps have the edited value.
    expect((await claimsAt(browser, apps['acme-club'])).userinfo.family_name).toBe('King');
  });
});
