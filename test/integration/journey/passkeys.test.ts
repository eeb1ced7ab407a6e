// Passkeys over HTTP with a software authenticator that builds real WebAuthn answers: the offer after
// sign-up, registration, sign-in without an email (amr hwk/swk + user), and every bad answer refused
// with a clear message and no login — replayed, another interaction's challenge, wrong origin, wrong
// RP ID, no user verification, a counter that does not move, malformed, throttled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { createSoftAuthenticator, type AssertionTweaks, type SoftAuthenticator } from '../../support/soft-authenticator.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

const interactionOf = (page: Page) => /^(.*\/interaction\/[^/?]+)/.exec(page.url)![1]!;
const csrfOf = (page: Page) => /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;

/** What the page's script does: POST the CSRF token to a passkey endpoint, read JSON back. */
async function postJson<T>(browser: FormBrowser, page: Page, path: string): Promise<{ status: number; body: T }> {
  const res = await browser.request(`${interactionOf(page)}${path}`, { method: 'POST', body: new URLSearchParams({ _csrf: csrfOf(page) }).toString(), headers: { accept: 'application/json' } });
  return { status: res.status, body: (res.html ? JSON.parse(res.html) : {}) as T };
}

type Options = Parameters<SoftAuthenticator['get']>[0];
type CreationOptions = Parameters<SoftAuthenticator['create']>[0];

async function signUpWithPasskey(email: string, authenticator = createSoftAuthenticator()) {
  const browser = newBrowser();
  const auth = await app.authorizationUrl();
  const start = await browser.get(auth.url);
  expect((await postJson(browser, start, '/passkey/capable')).status).toBe(204);
  const offer = await signUp(server, browser, start, email, password);
  expect(offer.url).toMatch(/\/passkey\/offer$/);
  expect(offer.html).toContain('Sign in faster next time');
  const { body: options } = await postJson<CreationOptions>(browser, offer, '/passkey/register/options');
  expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'preferred' });
  expect(options.rp.id).toBe('localhost');
  const done = await consentIfAsked(browser, await browser.submit(offer, '/passkey/register', { response: JSON.stringify(authenticator.create(options, server.url)) }));
  expect(done.url.startsWith(CALLBACK)).toBe(true);
  const account = (await server.services.accounts.findAccountByEmail(email))!;
  return { authenticator, accountId: account.id };
}

/** A further passkey for an account, registered through the domain (as the account pages will). */
async function addPasskey(accountId: string, email: string): Promise<SoftAuthenticator> {
  const authenticator = createSoftAuthenticator();
  const interactionUid = `test-${Math.random().toString(36).slice(2)}`;
  const options = await server.services.passkeys.registrationOptions({ interactionUid, accountId, email });
  const result = await server.services.passkeys.verifyRegistration({ interactionUid, accountId, response: JSON.stringify(authenticator.create(options, server.url)), name: 'Test key' });
  expect(result.status).toBe('ok');
  return authenticator;
}

async function startSignIn() {
  const browser = newBrowser();
  const auth = await app.authorizationUrl();
  const start = await browser.get(auth.url);
  const { body: options } = await postJson<Options>(browser, start, '/passkey/authenticate/options');
  return { browser, auth, start, options };
}

async function answer(signIn: Awaited<ReturnType<typeof startSignIn>>, response: unknown): Promise<Page> {
  return signIn.browser.submit(signIn.start, '/passkey/authenticate', { response: typeof response === 'string' ? response : JSON.stringify(response) });
}

/** Refused on the sign-in page with `message`, and the interaction is still waiting for a login. */
async function expectRefused(signIn: Awaited<ReturnType<typeof startSignIn>>, page: Page, message: string, status = 401) {
  expect(page.status).toBe(status);
  expect(page.url).not.toContain(CALLBACK);
  expect(page.html).toContain(message);
  const again = await signIn.browser.get(signIn.start.url);
  expect(again.html).toContain('name="email"');
}

let owner: { authenticator: SoftAuthenticator; accountId: string };

describe('the passkey offer and registration', () => {
  it('after sign-up in a browser that can create passkeys, offers one and registers it', async () => {
    owner = await signUpWithPasskey('pia@example.com');
    const stored = await server.dbHandle.db('passkeys').where({ account_id: owner.accountId });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: owner.authenticator.credentialId, device_type: 'singleDevice', backed_up: false, name: 'Passkey' });
    expect(await server.dbHandle.db('flows').where({ kind: 'passkey_offer' })).toHaveLength(0);
  });

  it('is not shown to a browser that did not report a platform authenticator', async () => {
    const browser = newBrowser();
    const page = await consentIfAsked(browser, await signUp(server, browser, await browser.get((await app.authorizationUrl()).url), 'nojs@example.com', password));
    expect(page.url.startsWith(CALLBACK)).toBe(true);
  });

  it('"Not now" finishes the sign-in and is not asked again for 30 days', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    await postJson(browser, first, '/passkey/capable');
    const offer = await signUp(server, browser, first, 'notnow@example.com', password);
    expect(offer.html).toContain('Sign in faster next time');
    const done = await consentIfAsked(browser, await browser.submit(offer, '/passkey/offer/decline', {}));
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const account = (await server.services.accounts.findAccountByEmail('notnow@example.com'))!;
    expect(await server.services.passkeyOffers.shouldOffer(account.id, ['otp'], false)).toBe(false);
    await server.dbHandle.db('passkey_offers').where({ account_id: account.id }).update({ declined_at: new Date(Date.now() - 31 * 86_400_000) });
    expect(await server.services.passkeyOffers.shouldOffer(account.id, ['otp'], false)).toBe(true);
  });

  it('is not offered after a password alone on an account without a second factor (it would be a first second factor)', async () => {
    const browser = newBrowser();
    const start = await browser.get((await app.authorizationUrl()).url);
    await postJson(browser, start, '/passkey/capable');
    const afterPassword = await enterEmailAndPassword(browser, start, 'nojs@example.com', password);
    expect(afterPassword.url.startsWith(CALLBACK), afterPassword.url).toBe(true);
    expect(await server.dbHandle.db('flows').where({ kind: 'passkey_offer' })).toHaveLength(0);
  });

  it('holds the login on the server: without a held login, the offer routes finish nothing', async () => {
    const browser = newBrowser();
    const start = await browser.get((await app.authorizationUrl()).url);
    const declined = await browser.request(`${interactionOf(start)}/passkey/offer/decline`, { method: 'POST', body: new URLSearchParams({ _csrf: csrfOf(start) }).toString() });
    expect(declined.url).not.toContain(CALLBACK);
    expect(declined.html).toContain('name="email"');
    const options = await postJson<{ message: string }>(browser, start, '/passkey/register/options');
    expect(options.status).toBe(400);
    expect(options.body.message).toContain('sign in again');
  });

  it('refuses a registration answer for another interaction\'s challenge', async () => {
    const browser = newBrowser();
    const start = await browser.get((await app.authorizationUrl()).url);
    await postJson(browser, start, '/passkey/capable');
    const offer = await signUp(server, browser, start, 'elsewhere@example.com', password);
    expect(offer.html).toContain('Sign in faster next time');
    const account = (await server.services.accounts.findAccountByEmail('elsewhere@example.com'))!;
    const elsewhere = await server.services.passkeys.registrationOptions({ interactionUid: 'another-interaction', accountId: account.id, email: 'elsewhere@example.com' });
    const refused = await browser.submit(offer, '/passkey/register', { response: JSON.stringify(createSoftAuthenticator().create(elsewhere, server.url)) });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('That passkey request has expired or was already used');
    expect(await server.services.passkeys.listPasskeys(account.id)).toEqual([]);
  });
});

describe('signing in with a passkey', () => {
  it('needs no email or password, and the ID token says how (amr hwk + user)', async () => {
    const signIn = await startSignIn();
    expect(signIn.options).toMatchObject({ rpId: 'localhost', userVerification: 'required' });
    expect(signIn.options.allowCredentials ?? []).toEqual([]);
    const done = await consentIfAsked(signIn.browser, await answer(signIn, owner.authenticator.get(signIn.options, server.url)));
    expect(done.url.startsWith(CALLBACK)).toBe(true);
    const claims = (await app.exchange(done.url, signIn.auth)).claims()!;
    expect(claims.sub).toBe(owner.accountId);
    expect(claims.amr).toEqual(['hwk', 'user']);
    const row = await server.dbHandle.db('passkeys').where({ id: owner.authenticator.credentialId }).first();
    expect(Number(row.counter)).toBe(1);
    expect(row.last_used_at).not.toBeNull();
  });

  it('says swk for a synced passkey', async () => {
    const synced = createSoftAuthenticator({ synced: true });
    const interactionUid = 'synced-registration';
    const options = await server.services.passkeys.registrationOptions({ interactionUid, accountId: owner.accountId, email: 'pia@example.com' });
    expect(options.excludeCredentials?.map((c) => c.id)).toContain(owner.authenticator.credentialId);
    expect((await server.services.passkeys.verifyRegistration({ interactionUid, accountId: owner.accountId, response: JSON.stringify(synced.create(options, server.url)), name: 'Phone' })).status).toBe('ok');
    const signIn = await startSignIn();
    const done = await consentIfAsked(signIn.browser, await answer(signIn, synced.get(signIn.options, server.url)));
    expect((await app.exchange(done.url, signIn.auth)).claims()!.amr).toEqual(['swk', 'user']);
  });

  it('refuses a replayed answer', async () => {
    const key = await addPasskey(owner.accountId, 'pia@example.com');
    const first = await startSignIn();
    const response = key.get(first.options, server.url);
    expect((await consentIfAsked(first.browser, await answer(first, response))).url.startsWith(CALLBACK)).toBe(true);
    // The same answer again, in a new sign-in (its challenge is gone) ...
    const second = await startSignIn();
    await expectRefused(second, await answer(second, response), 'That passkey request has expired or was already used');
    // ... and in the sign-in it was made for, which has moved on.
    const replay = await first.browser.request(`${interactionOf(first.start)}/passkey/authenticate`, { method: 'POST', body: new URLSearchParams({ _csrf: csrfOf(first.start), response: JSON.stringify(response) }).toString() });
    expect(replay.url).not.toContain(CALLBACK);
    expect(replay.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a challenge issued to another interaction, which still works where it belongs', async () => {
    const key = await addPasskey(owner.accountId, 'pia@example.com');
    const mine = await startSignIn();
    const other = await startSignIn();
    const response = key.get(mine.options, server.url);
    await expectRefused(other, await answer(other, response), 'That passkey request has expired or was already used');
    expect((await consentIfAsked(mine.browser, await answer(mine, response))).url.startsWith(CALLBACK)).toBe(true);
  });

  it('refuses an answer made on another origin', async () => {
    const key = await addPasskey(owner.accountId, 'pia@example.com');
    const signIn = await startSignIn();
    await expectRefused(signIn, await answer(signIn, key.get(signIn.options, server.url, { origin: 'https://evil.example' })), 'That passkey answer was made for another website');
  });

  it('refuses an answer for another RP ID', async () => {
    const key = await addPasskey(owner.accountId, 'pia@example.com');
    const signIn = await startSignIn();
    await expectRefused(signIn, await answer(signIn, key.get(signIn.options, server.url, { rpId: 'evil.example' })), 'That passkey belongs to another website');
  });

  it('refuses an answer without user verification', async () => {
    const key = await addPasskey(owner.accountId, 'pia@example.com');
    const signIn = await startSignIn();
    await expectRefused(signIn, await answer(signIn, key.get(signIn.options, server.url, { userVerified: false })), 'did not confirm it is you');
  });

  it('refuses a counter that does not increase', async () => {
    const key = await addPasskey(owner.accountId, 'pia@example.com');
    const ok = await startSignIn();
    await answer(ok, key.get(ok.options, server.url, { counter: 7 }));
    const signIn = await startSignIn();
    await expectRefused(signIn, await answer(signIn, key.get(signIn.options, server.url, { counter: 7 })), 'may have been copied');
    const stored = await server.dbHandle.db('passkeys').where({ id: key.credentialId }).first();
    expect(Number(stored.counter)).toBe(7);
  });

  it('refuses a passkey it does not know, a forged signature, and malformed answers', async () => {
    const stranger = createSoftAuthenticator();
    stranger.create({ rp: { id: 'localhost', name: 'x' }, user: { id: 'AAAA', name: 'x', displayName: 'x' }, challenge: 'AAAA', pubKeyCredParams: [] }, server.url);
    const unknown = await startSignIn();
    await expectRefused(unknown, await answer(unknown, stranger.get(unknown.options, server.url)), 'We do not recognise that passkey');

    const key = await addPasskey(owner.accountId, 'pia@example.com');
    const forged = await startSignIn();
    const response = key.get(forged.options, server.url);
    response.response.signature = stranger.get(forged.options, server.url).response.signature;
    await expectRefused(forged, await answer(forged, response), 'could not be verified');

    const malformed = await startSignIn();
    await expectRefused(malformed, await answer(malformed, '{"id": 1}'), 'did not send a passkey we could read', 400);
    await expectRefused(malformed, await answer(malformed, 'not json'), 'did not send a passkey we could read', 400);
    const noCsrf = await malformed.browser.submit(malformed.start, '/passkey/authenticate', { response: '{}' }, { omitCsrf: true });
    expect(noCsrf.status).toBe(403);
  });

  it('throttles repeated failures for one passkey from one address, the right answer included', async () => {
    const key = await addPasskey(owner.accountId, 'pia@example.com');
    for (let i = 0; i < 5; i++) {
      const signIn = await startSignIn();
      await answer(signIn, key.get(signIn.options, server.url, { origin: 'https://evil.example' }));
    }
    const signIn = await startSignIn();
    const page = await answer(signIn, key.get(signIn.options, server.url));
    await expectRefused(signIn, page, 'Too many attempts', 429);
  });

  it('checks at most the limit of a burst of wrong answers, and refuses the right answer sent with them', async () => {
    const key = await addPasskey(owner.accountId, 'pia@example.com');
    const signIn = await startSignIn();
    const before = server.services.throttle.verificationsRun('passkey');
    const wrong = Array.from({ length: 40 }, () => answer(signIn, key.get(signIn.options, server.url, { origin: 'https://evil.example' })));
    const pages = await Promise.all([...wrong, answer(signIn, key.get(signIn.options, server.url))]);
    expect(server.services.throttle.verificationsRun('passkey') - before).toBeLessThanOrEqual(server.config.throttle.emailAddressFailures);
    await expectRefused(signIn, pages.at(-1)!, 'Too many attempts', 429);
  });
});
