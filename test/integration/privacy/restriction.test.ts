// Restriction of processing: a restricted account still signs in, its ID token and userinfo carry only
// essential claims (sub, the email the contract-based `account` purpose covers, and a profile field held for
// that purpose — never one held for marketing), its events are marked restricted; lifting it brings everything back.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { PASSWORD, signedUpCustomer } from './customer.ts';

let server: TestServer;
let rp: RelyingParty;
const EMAIL = 'restricted.customer@example.com';
let accountId: string;

beforeAll(async () => {
  server = await startTestServer({
    profile: {
      fields: [
        { key: 'given_name', label: { en: 'First name' }, purpose: 'marketing' },
        { key: 'customer_number', label: { en: 'Customer number' }, purpose: 'account' },
      ],
    },
  } as never);
  rp = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', firstParty: true, scope: 'openid email profile' });
  ({ accountId } = await signedUpCustomer(server, rp, EMAIL));
  await server.dbHandle.db('profile_values').insert([
    { account_id: accountId, field: 'given_name', value: JSON.stringify('Rosalind'), source: 'customer' },
    { account_id: accountId, field: 'customer_number', value: JSON.stringify('C-1001'), source: 'admin' },
  ]);
  // given_name is held for marketing, which rests on consent: released only once consent is given.
  await server.services.purposes.choose(accountId, 'marketing', 'grant', { channel: 'test' });
});
afterAll(async () => server?.stop());

/** A fresh sign-in asking for email and given_name in the ID token too. */
async function signIn() {
  const browser = newBrowser();
  const auth = await rp.authorizationUrl({ claims: JSON.stringify({ id_token: { email: null, given_name: null } }) });
  const callback = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(auth.url), EMAIL, PASSWORD));
  expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 400)).toBe(true);
  const tokens = await rp.exchange(callback.url, auth);
  return { idToken: tokens.claims()!, userinfo: await oidc.fetchUserInfo(rp.config, tokens.access_token, tokens.claims()!.sub) };
}

describe('restriction of processing', () => {
  it('releases every granted claim before', async () => {
    const { idToken, userinfo } = await signIn();
    expect(idToken).toMatchObject({ sub: accountId, email: EMAIL, given_name: 'Rosalind' });
    expect(userinfo).toMatchObject({ sub: accountId, email: EMAIL, given_name: 'Rosalind' });
  });

  it('keeps sign-in working but releases only essential claims, and marks the account events restricted', async () => {
    expect(await server.services.privacy.restriction.restrictProcessing(accountId, { channel: 'test' })).toBe(true);
    expect(await server.services.privacy.restriction.isRestricted(accountId)).toBe(true);
    const { idToken, userinfo } = await signIn();
    expect(idToken.sub).toBe(accountId);
    expect(idToken).toMatchObject({ email: EMAIL });
    expect(idToken).not.toHaveProperty('given_name');
    expect(userinfo).toEqual({ sub: accountId, email: EMAIL, email_verified: true, customer_number: 'C-1001' });
    expect((await server.services.accounts.findAccountById(accountId))!.status).toBe('active');

    await server.services.events.emit({ type: 'profile.updated', accountId, data: { fields: ['given_name'] } });
    await server.services.events.emit({ type: 'other.account', accountId: '00000000-0000-4000-8000-000000000001' });
    const events = await server.services.events.listEventsOfAccount(accountId);
    expect(events.find((e) => e.type === 'profile.updated')!.restricted).toBe(true);
    expect(events.find((e) => e.type === 'account.processing_restricted')!.restricted).toBe(true);
    const other = await server.services.events.listEventsOfAccount('00000000-0000-4000-8000-000000000001');
    expect(other[0]!.restricted).toBe(false);
  });

  it('brings the claims back and stops marking events once lifted', async () => {
    await server.services.privacy.restriction.liftRestriction(accountId, { channel: 'test' });
    const { userinfo } = await signIn();
    expect(userinfo).toMatchObject({ sub: accountId, email: EMAIL, given_name: 'Rosalind' });
    await server.services.events.emit({ type: 'profile.viewed', accountId });
    const events = await server.services.events.listEventsOfAccount(accountId);
    expect(events.find((e) => e.type === 'profile.viewed')!.restricted).toBe(false);
    expect(events.map((e) => e.type)).toContain('account.restriction_lifted');
  });
});
