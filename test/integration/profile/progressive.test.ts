// The progressive journey over real HTTP: a customer signs in three times and is asked the configured fields
// on the configured visits, never more than K per visit; "Not now" and its back-off; validation errors keep
// the input; values carry provenance; custom claims reach an app only under the scope the customer granted.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { askedFields, endVisit, isProfilePage, NAMESPACE, profileConfig, PURPOSES, submitProfile, visits } from './support.ts';

let server: TestServer;
let shop: RelyingParty;
const password = 'a quiet harbour at dawn';

beforeAll(async () => {
  server = await startTestServer({ profile: profileConfig, consent: { purposes: PURPOSES } } as never);
  shop = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email profile preferences' });
});
afterAll(async () => server?.stop());

async function signIn(email: string, scope = 'openid email profile preferences') {
  const browser = newBrowser();
  const auth = await shop.authorizationUrl({ scope });
  const page = await consentIfAsked(browser, await enterEmailAndPassword(browser, await browser.get(auth.url), email, password));
  return { browser, auth, page };
}

async function userinfo(auth: Awaited<ReturnType<RelyingParty['authorizationUrl']>>, callbackUrl: string) {
  const tokens = await shop.exchange(callbackUrl, auth);
  return oidc.fetchUserInfo(shop.config, tokens.access_token, tokens.claims()!.sub);
}

describe('a customer over three visits', () => {
  const email = 'ada@example.com';
  let accountId: string;

  it('visit 1 (sign-up): asks the two highest-priority sign-up fields, no more', async () => {
    const browser = newBrowser();
    const auth = await shop.authorizationUrl({ scope: 'openid email profile preferences' });
    const profile = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), email, password));
    expect(askedFields(profile)).toEqual(['given_name', 'family_name']);
    expect(profile.html).toContain('<label for="field-given_name">First name</label>');
    expect(profile.html).toContain('Not now');
    const done = await submitProfile(browser, profile, { given_name: 'Ada', family_name: 'Lovelace' });
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const claims = await userinfo(auth, done.url);
    expect(claims).toMatchObject({ given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace' });
    accountId = claims.sub;
    expect(await visits(server, accountId)).toBe(1);
    const rows = await server.dbHandle.db('profile_values').where({ account_id: accountId }).orderBy('field');
    expect(rows.map((r: { field: string; source: string; client_id: string }) => [r.field, r.source, r.client_id])).toEqual([['family_name', 'customer', 'shop'], ['given_name', 'customer', 'shop']]);
  });

  it('a sign-in within the same visit asks nothing and is not a new visit', async () => {
    const { page } = await signIn(email);
    expect(page.url.startsWith(CALLBACK)).toBe(true);
    expect(await visits(server, accountId)).toBe(1);
  });

  it('visit 2: asks the second-visit field and the sign-up field left over, by priority; "Not now" skips both', async () => {
    await endVisit(server, accountId);
    const { browser, page } = await signIn(email);
    expect(askedFields(page)).toEqual(['birthdate', 'nickname']);
    expect(page.html).toContain('What friends call you.');
    const done = await browser.submit(page, '/profile/skip', {});
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    expect(await visits(server, accountId)).toBe(2);
    const skips = await server.dbHandle.db('profile_skips').where({ account_id: accountId }).orderBy('field');
    expect(skips.map((s: { field: string }) => s.field)).toEqual(['birthdate', 'nickname']);
  });

  it('visit 3: the skipped fields wait for their back-off; the third-visit field is asked; a bad answer keeps the input', async () => {
    await endVisit(server, accountId);
    const { browser, auth, page } = await signIn(email);
    expect(askedFields(page)).toEqual(['favourite_colour']);
    const bad = await submitProfile(browser, page, { favourite_colour: 'green' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('Choose one of the options for Favourite colour.');
    const done = await submitProfile(browser, bad, { favourite_colour: 'blue' });
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    expect(await userinfo(auth, done.url)).toMatchObject({ [`${NAMESPACE}favourite_colour`]: 'blue' });
    expect(await visits(server, accountId)).toBe(3);
  });

  it('after the back-off, a skipped field is asked again', async () => {
    await server.dbHandle.db('profile_skips').where({ account_id: accountId }).update({ skipped_at: new Date(Date.now() - 31 * 86_400_000) });
    await endVisit(server, accountId);
    const { page } = await signIn(email);
    expect(askedFields(page)).toEqual(['birthdate', 'nickname']);
  });

  it('records an event per change, with field names and never values', async () => {
    const events = await server.services.events.listEventsOfAccount(accountId);
    const updated = events.filter((e) => e.type === 'profile.updated');
    expect(updated.map((e) => e.data.fields)).toEqual(expect.arrayContaining([['given_name', 'family_name'], ['favourite_colour']]));
    expect(JSON.stringify(updated)).not.toContain('Lovelace');
  });
});

describe('validation on the profile page', () => {
  it('re-renders with the customer\'s input kept and a message per field (400)', async () => {
    const browser = newBrowser();
    const auth = await shop.authorizationUrl({ scope: 'openid email profile' });
    const profile = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), 'val@example.com', password));
    const long = 'x'.repeat(201);
    const bad = await submitProfile(browser, profile, { given_name: 'Grace', family_name: long });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('value="Grace"');
    expect(bad.html).toContain(`value="${long}"`);
    expect(bad.html).toContain('Last name must be at most 200 characters.');
    expect(bad.html).toContain('aria-invalid="true"');
    const account = (await server.services.accounts.findAccountByEmail('val@example.com'))!;
    expect(await server.dbHandle.db('profile_values').where({ account_id: account.id })).toHaveLength(0);
    const noCsrf = await browser.submit(bad, '/profile', { given_name: 'Grace' }, { omitCsrf: true });
    expect(noCsrf.status).toBe(403);
  });
});

describe('claims under the scopes granted', () => {
  it('a custom claim reaches the app only after consent to its scope, in userinfo and in the ID token when asked with `claims`', async () => {
    const email = 'lin@example.com';
    const browser = newBrowser();
    const auth = await shop.authorizationUrl({ scope: 'openid email profile' });
    const profile = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), email, password));
    const first = await submitProfile(browser, profile, { given_name: 'Lin', family_name: 'Wu' });
    const account = (await server.services.accounts.findAccountByEmail(email))!;
    expect(await server.services.profile.setFieldValue({ accountId: account.id, field: 'favourite_colour', value: 'red', source: 'api', clientId: 'shop' })).toEqual({ status: 'ok' });
    const without = await userinfo(auth, first.url);
    expect(without).toMatchObject({ given_name: 'Lin' });
    expect(without).not.toHaveProperty(`${NAMESPACE}favourite_colour`);

    // Asked for preferences, the consent page names what the custom scope releases; once allowed, the claim flows.
    const grantedAuth = await shop.authorizationUrl({ scope: 'openid email profile preferences', claims: JSON.stringify({ id_token: { [`${NAMESPACE}favourite_colour`]: null } }) });
    const consent = await browser.get(grantedAuth.url);
    expect(consent.html).toContain('Your preferences: Favourite colour, Shoe size');
    const granted = await consentIfAsked(browser, consent);
    expect(granted.url.startsWith(CALLBACK)).toBe(true);
    const tokens = await shop.exchange(granted.url, grantedAuth);
    expect(tokens.claims()).toMatchObject({ [`${NAMESPACE}favourite_colour`]: 'red' });
    expect(await oidc.fetchUserInfo(shop.config, tokens.access_token, tokens.claims()!.sub)).toMatchObject({ [`${NAMESPACE}favourite_colour`]: 'red' });
  });

  it('a customer who deselects the custom scope on the consent page gives the app none of its claims', async () => {
    const email = 'kim@example.com';
    const browser = newBrowser();
    const auth = await shop.authorizationUrl({ scope: 'openid email profile preferences' });
    const consent = await signUp(server, browser, await browser.get(auth.url), email, password);
    const profile = await consentIfAsked(browser, consent, ['email', 'profile']);
    const done = await submitProfile(browser, profile, { given_name: 'Kim', family_name: 'Park' });
    const account = (await server.services.accounts.findAccountByEmail(email))!;
    await server.services.profile.setFieldValue({ accountId: account.id, field: 'shoe_size', value: 41, source: 'admin' });
    const claims = await userinfo(auth, done.url);
    expect(claims).toMatchObject({ given_name: 'Kim' });
    expect(claims).not.toHaveProperty(`${NAMESPACE}shoe_size`);
  });

  it('discovery lists the custom scope and claims', async () => {
    const discovery = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json() as { scopes_supported: string[]; claims_supported: string[] };
    expect(discovery.scopes_supported).toContain('preferences');
    expect(discovery.claims_supported).toContain(`${NAMESPACE}favourite_colour`);
  });
});
