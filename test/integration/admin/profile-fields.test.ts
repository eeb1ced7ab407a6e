// The profile schema through /admin/api/profile-fields over real HTTP: a field defined with a new scope is asked
// at the next sign-up and reaches an app registered with that scope in userinfo at once (the running Provider is
// rebuilt); disabling keeps the value but stops releasing and asking it; removal, type changes and scope changes
// that would strand values or clients are refused with a message; bad input is a 400 naming the field.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const NAMESPACE = 'https://shop.example/claims/';
const CLAIM = `${NAMESPACE}loyalty_tier`;
const password = 'a lantern on the quay';
let server: TestServer;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
let shop: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({
    profile: { claimNamespace: NAMESPACE, fields: [{ key: 'given_name', label: { en: 'First name' } }, { key: 'nickname', label: { en: 'Nickname' } }] },
  } as never);
  ({ call } = await createAdminApi(server));
});
afterAll(async () => server?.stop());

const fieldKeys = async () => ((await call('/profile-fields')).body!.fields as { key: string }[]).map((f) => f.key);

async function userinfo(auth: Awaited<ReturnType<RelyingParty['authorizationUrl']>>, callbackUrl: string) {
  const tokens = await shop.exchange(callbackUrl, auth);
  return oidc.fetchUserInfo(shop.config, tokens.access_token, tokens.claims()!.sub);
}

async function signIn(email: string) {
  const browser = newBrowser();
  const auth = await shop.authorizationUrl({ scope: 'openid email loyalty' });
  const page = await consentIfAsked(browser, await enterEmailAndPassword(browser, await browser.get(auth.url), email, password));
  expect(page.url.startsWith(CALLBACK)).toBe(true);
  return userinfo(auth, page.url);
}

describe('the profile schema through the admin API', () => {
  const email = 'member@example.com';

  it('lists the configured fields in order, with their claim names and how many accounts hold a value', async () => {
    const listed = await call('/profile-fields');
    expect(listed.status).toBe(200);
    expect(listed.body!.fields).toEqual([
      expect.objectContaining({ key: 'given_name', position: 0, claimName: 'given_name', values: 0, definition: expect.objectContaining({ label: { en: 'First name' }, enabled: true }) }),
      expect.objectContaining({ key: 'nickname', position: 1 }),
    ]);
  });

  it('a field defined with a new scope is asked at sign-up and reaches an app registered with that scope', async () => {
    const defined = await call('/profile-fields/loyalty_tier', {
      method: 'PUT',
      body: { type: 'single_choice', label: { en: 'Loyalty tier' }, scope: 'loyalty', ask: 'signup', options: [{ value: 'gold', label: { en: 'Gold' } }, { value: 'silver', label: { en: 'Silver' } }] },
    });
    expect(defined.status).toBe(201);
    expect(defined.headers.get('location')).toBe('/admin/api/profile-fields/loyalty_tier');
    expect(defined.body).toMatchObject({ key: 'loyalty_tier', position: 2, claimName: CLAIM, values: 0 });
    // The scope is an OpenID scope at once: the app registers with it and asks for it.
    shop = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email loyalty' });
    const browser = newBrowser();
    const auth = await shop.authorizationUrl({ scope: 'openid email loyalty' });
    const profile = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), email, password));
    expect(profile.url).toMatch(/\/profile$/);
    expect(profile.html).toContain('Loyalty tier');
    const done = await browser.submit(profile, '/profile', { loyalty_tier: 'gold' });
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    expect(await userinfo(auth, done.url)).toMatchObject({ email, [CLAIM]: 'gold' });
    expect((await call('/profile-fields/loyalty_tier')).body).toMatchObject({ values: 1 });
  });

  it('a change to a label shows on the next profile page', async () => {
    const changed = await call('/profile-fields/loyalty_tier', { method: 'PATCH', body: { label: { en: 'Membership level' } } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ definition: { label: { en: 'Membership level' }, scope: 'loyalty', type: 'single_choice' } });
    const browser = newBrowser();
    const auth = await shop.authorizationUrl({ scope: 'openid email loyalty' });
    const profile = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), 'second@example.com', password));
    expect(profile.html).toContain('Membership level');
    expect(profile.html).not.toContain('Loyalty tier');
  });

  it('a disabled field keeps its values, is no longer released or asked, and its app still signs in; enabling it releases it again', async () => {
    const disabled = await call('/profile-fields/loyalty_tier', { method: 'PATCH', body: { enabled: false } });
    expect(disabled.body).toMatchObject({ values: 1, definition: { enabled: false } });
    const withheld = await signIn(email);
    expect(withheld.email).toBe(email);
    expect(withheld).not.toHaveProperty(CLAIM);
    const browser = newBrowser();
    const auth = await shop.authorizationUrl({ scope: 'openid email loyalty' });
    const afterSignUp = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), 'third@example.com', password));
    expect(afterSignUp.url.startsWith(CALLBACK)).toBe(true); // nothing asked
    expect((await call('/profile-fields/loyalty_tier', { method: 'PATCH', body: { enabled: true } })).status).toBe(200);
    expect(await signIn(email)).toMatchObject({ [CLAIM]: 'gold' });
  });

  it('a standard field that is disabled is withheld from the standard scope too', async () => {
    await server.services.profile.setFieldValue({ accountId: (await server.services.accounts.findAccountByEmail(email))!.id, field: 'nickname', value: 'Nick', source: 'admin' });
    const scope = 'openid email profile';
    const profileApp = await createRelyingParty(server, { clientId: 'profile-app', name: 'Profile app', scope });
    const read = async () => {
      const browser = newBrowser();
      const auth = await profileApp.authorizationUrl({ scope });
      const page = await consentIfAsked(browser, await enterEmailAndPassword(browser, await browser.get(auth.url), email, password));
      const tokens = await profileApp.exchange(page.url, auth);
      return oidc.fetchUserInfo(profileApp.config, tokens.access_token, tokens.claims()!.sub);
    };
    expect(await read()).toMatchObject({ nickname: 'Nick' });
    await call('/profile-fields/nickname', { method: 'PATCH', body: { enabled: false } });
    expect(await read()).not.toHaveProperty('nickname');
    expect((await call('/profile-fields/nickname')).body).toMatchObject({ values: 1, definition: { enabled: false } });
    await call('/profile-fields/nickname', { method: 'PATCH', body: { enabled: true } });
  });

  it('refuses what would strand values or clients, with a 409 that says what to do instead', async () => {
    const remove = await call('/profile-fields/loyalty_tier', { method: 'DELETE' });
    expect(remove.status).toBe(409);
    expect(remove.body).toMatchObject({ error: 'profile_field.has_values', message: expect.stringContaining('disable the field instead') });
    const retype = await call('/profile-fields/loyalty_tier', { method: 'PUT', body: { type: 'string', label: { en: 'Tier' }, scope: 'loyalty' } });
    expect(retype.status).toBe(409);
    expect(retype.body).toMatchObject({ error: 'profile_field.type_locked' });
    const rescope = await call('/profile-fields/loyalty_tier', { method: 'PATCH', body: { scope: 'rewards' } });
    expect(rescope.status).toBe(409);
    expect(rescope.body).toMatchObject({ error: 'profile_field.scope_in_use', message: expect.stringContaining('shop') });
    const twin = await call('/profile-fields/tier_copy', { method: 'PUT', body: { label: { en: 'Copy' }, claim: CLAIM } });
    expect(twin.status).toBe(409);
    expect(twin.body).toMatchObject({ error: 'profile_field.claim_taken', message: expect.stringContaining('loyalty_tier') });
    expect(await fieldKeys()).toEqual(['given_name', 'nickname', 'loyalty_tier']);
  });

  it('removes a field nobody holds a value of, and reorders', async () => {
    expect((await call('/profile-fields/shoe_size', { method: 'PUT', body: { key: 'shoe_size', type: 'number', label: { en: 'Shoe size' }, validation: { min: 30, max: 50 } } })).status).toBe(201);
    const reordered = await call('/profile-fields/reorder', { method: 'POST', body: { keys: ['loyalty_tier', 'shoe_size'] } });
    expect(reordered.status).toBe(200);
    expect((reordered.body!.fields as { key: string; position: number }[]).map((f) => [f.key, f.position])).toEqual([['loyalty_tier', 0], ['shoe_size', 1], ['given_name', 2], ['nickname', 3]]);
    expect((await call('/profile-fields/shoe_size', { method: 'DELETE' })).status).toBe(204);
    expect((await call('/profile-fields/shoe_size')).body).toMatchObject({ error: 'profile_field.not_found' });
    expect(await fieldKeys()).toEqual(['loyalty_tier', 'given_name', 'nickname']);
  });

  it('refuses bad input with a 400 naming the field, never a 500', async () => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/profile-fields/colour', { label: {} }, 'label: needs at least one locale'],
      ['PUT', '/profile-fields/colour', { label: { en: 'C' }, colour: 'red' }, 'colour'],
      ['PUT', '/profile-fields/colour', { key: 'other', label: { en: 'C' } }, 'key: must be colour'],
      ['PUT', '/profile-fields/Colour', { label: { en: 'C' } }, 'key: field keys are lower-case'],
      ['PUT', '/profile-fields/colour', { type: 'single_choice', label: { en: 'C' } }, 'needs options'],
      ['PUT', '/profile-fields/colour', { label: { en: 'C' }, purpose: 'astrology' }, 'purpose: there is no purpose "astrology"'],
      ['PUT', '/profile-fields/colour', { label: { en: 'C' }, scope: 'admin' }, 'scope: "admin" cannot release'],
      ['PUT', '/profile-fields/colour', { label: { en: 'C' }, claim: 'sub' }, 'cannot be the sub claim'],
      ['PUT', '/profile-fields/colour', { label: { en: 'C' }, validation: { pattern: '(' } }, 'not a valid regular expression'],
      ['PUT', '/profile-fields/colour', [1, 2], 'expected object'],
      ['PATCH', '/profile-fields/loyalty_tier', {}, 'at least one setting'],
      ['PATCH', '/profile-fields/loyalty_tier', { type: 'string' }, 'type'],
      ['PATCH', '/profile-fields/loyalty_tier', { ask: { fromVisit: 0 } }, 'ask'],
      ['PATCH', '/profile-fields/loyalty_tier', { options: null }, 'needs options'],
      ['PATCH', '/profile-fields/loyalty_tier', { priority: 'high' }, 'priority'],
      ['POST', '/profile-fields/reorder', { keys: ['nickname', 'nickname'] }, 'a key appears twice'],
      ['POST', '/profile-fields/reorder', { keys: ['astrology'] }, 'keys: there is no profile field astrology'],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await call(path, { method, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(String(res.body!.message), `${method} ${path} ${JSON.stringify(body)}`).toContain(message);
    }
    expect((await call('/profile-fields/colour', { method: 'PUT', body: '{"label": ' })).body).toMatchObject({ error: 'request.invalid_json' });
    expect((await call('/profile-fields/nothing', { method: 'PATCH', body: { enabled: false } })).status).toBe(404);
    expect((await call('/profile-fields/nothing', { method: 'DELETE' })).status).toBe(404);
    expect((await call('/profile-fields', { token: null })).status).toBe(401);
    expect(await fieldKeys()).toEqual(['loyalty_tier', 'given_name', 'nickname']);
  });

  it('is described in the OpenAPI document with the schemas it validates with', async () => {
    const doc = (await call('/openapi.json', { token: null })).body!;
    expect(Object.keys(doc.paths as object)).toEqual(expect.arrayContaining(['/profile-fields', '/profile-fields/{key}', '/profile-fields/reorder']));
    const schemas = (doc.components as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas;
    expect(Object.keys(schemas.ProfileFieldDefinition!.properties)).toEqual(expect.arrayContaining(['key', 'type', 'label', 'scope', 'ask', 'enabled']));
    expect(Object.keys(schemas.ProfileFieldChange!.properties)).not.toContain('type');
  });
});
