// A client that requires a field: the step is forced (regardless of K, visits and skips) and says which app
// asks and why; no "Not now"; the scope carrying the field cannot be deselected; prompt=none gets
// interaction_required until the field is given. Client metadata is checked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { askedFields, profileConfig, PURPOSES, submitProfile } from './support.ts';

let server: TestServer;
let bank: RelyingParty;
let shop: RelyingParty;
const password = 'a lantern under the quiet harbour';
const email = 'rosa@example.com';

beforeAll(async () => {
  server = await startTestServer({ profile: { ...profileConfig, maxOptionalPerVisit: 0 }, consent: { purposes: PURPOSES } } as never);
  shop = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email profile' });
  bank = await createRelyingParty(server, { clientId: 'bank', name: 'Example Bank', scope: 'openid email profile', profileRequired: ['birthdate'], profileOptional: ['nickname'], profilePerVisit: 1 });
  // An account with a session at Foyer, signed up through the shop (K = 0 there: no profile page).
  const browser = newBrowser();
  const done = await consentIfAsked(browser, await signUp(server, browser, await browser.get((await shop.authorizationUrl()).url), email, password));
  expect(done.url.startsWith(CALLBACK)).toBe(true);
});
afterAll(async () => server?.stop());

describe('a client requiring birthdate', () => {
  it('stores the client profile metadata', async () => {
    expect(await server.services.clients.showClient('bank')).toMatchObject({ profile_required: ['birthdate'], profile_optional: ['nickname'], profile_per_visit: 1 });
  });

  it('the consent page does not let the scope carrying it be deselected', async () => {
    const browser = newBrowser();
    const consent = await enterEmailAndPassword(browser, await browser.get((await bank.authorizationUrl()).url), email, password);
    expect(consent.html).toContain('<input id="scope-profile" type="checkbox" checked disabled>');
    expect(consent.html).not.toContain('value="profile"');
    // Even a forged post without it grants the scope.
    const profile = await browser.submit(consent, '/consent', { scope: ['email'] });
    expect(askedFields(profile)).toEqual(['birthdate', 'given_name']);
    const consents = await server.dbHandle.db('client_consents').where({ client_id: 'bank' }).first() as { granted_scopes: string[] };
    expect(consents.granted_scopes).toContain('profile');
  });

  it('prompt=none gets interaction_required while the field is missing', async () => {
    const browser = newBrowser();
    await enterEmailAndPassword(browser, await browser.get((await shop.authorizationUrl()).url), email, password);
    const silent = await browser.get((await bank.authorizationUrl({ prompt: 'none' })).url);
    const callback = new URL(silent.url);
    expect(callback.href.startsWith(CALLBACK)).toBe(true);
    expect(callback.searchParams.get('error')).toBe('interaction_required');
    expect(callback.searchParams.get('error_description')).toContain('requires profile information');
  });

  it('forces the step, says which app asks and why, and offers no "Not now"', async () => {
    const browser = newBrowser();
    const profile = await enterEmailAndPassword(browser, await browser.get((await bank.authorizationUrl()).url), email, password);
    expect(askedFields(profile)).toEqual(['birthdate', 'given_name']);
    expect(profile.html).toContain('Example Bank needs a few details');
    expect(profile.html).toContain('Example Bank needs this to continue.');
    expect(profile.html).not.toContain('/profile/skip');
    // "Not now" posted anyway is refused.
    const skipped = await browser.request(profile.url.replace(/\/profile$/, '/profile/skip'), { method: 'POST', body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(profile.html)![1]! }).toString() });
    expect(skipped.status).toBe(400);
    expect(skipped.html).toContain('Example Bank cannot continue without the required details.');

    const empty = await submitProfile(browser, profile, { birthdate: '' });
    expect(empty.status).toBe(400);
    expect(empty.html).toContain('Date of birth is needed by Example Bank.');
    const wrong = await submitProfile(browser, empty, { birthdate: '1990-02-30', given_name: 'Rosa' });
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('value="1990-02-30"');
    expect(wrong.html).toContain('value="Rosa"');
    expect(wrong.html).toContain('Date of birth must be a date, like 1990-04-25.');

    const done = await submitProfile(browser, wrong, { birthdate: '1990-04-25', given_name: '' });
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const account = (await server.services.accounts.findAccountByEmail(email))!;
    const skips = await server.dbHandle.db('profile_skips').where({ account_id: account.id });
    expect(skips.map((s: { field: string }) => s.field)).toEqual(['given_name']);

    // The client's own K (1) applied: the client-wanted nickname waits, the higher-priority given_name was asked.
    // Given once, birthdate no longer blocks: prompt=none succeeds.
    const silent = new URL((await browser.get((await bank.authorizationUrl({ prompt: 'none' })).url)).url);
    expect(silent.searchParams.get('code')).toBeTruthy();
  });

  it('refuses bad profile metadata at registration', async () => {
    await server.services.clients.addClient({ clientId: 'bad', redirectUris: [CALLBACK], public: true, profilePerVisit: 99 });
    await expect(server.host.current().Client.find('bad')).rejects.toMatchObject({ error: 'invalid_client_metadata', error_description: 'foyer_profile_per_visit must be a whole number from 0 to 20' });
  });
});
