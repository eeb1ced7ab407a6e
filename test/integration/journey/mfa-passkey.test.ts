// A passkey as the second factor (FormBrowser + software authenticator): password sign-in at a client that
// requires MFA, then the account's passkey (options list it, user verification preferred) → acr 2fa with
// amr pwd + hwk (+ user) + mfa; another account's passkey, a replayed answer, another interaction's or a
// sign-in challenge are refused; remember this device; no passkey offered after a passkey sign-in; throttled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offeredSecondFactors } from '../../../src/authn/mfa/policy.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { startServerWithBankAndShop } from '../../support/mfa.ts';
import { CALLBACK, type RelyingParty } from '../../support/relying-party.ts';
import { createSoftAuthenticator, type SoftAuthenticator } from '../../support/soft-authenticator.ts';
import type { TestServer } from '../../support/test-server.ts';

const ACR_2FA = 'urn:foyer:acr:2fa';
const password = 'a lantern swinging over the quay';

let server: TestServer;
let strict: RelyingParty;
let relaxed: RelyingParty;

beforeAll(async () => {
  ({ server, strict, relaxed } = await startServerWithBankAndShop());
});
afterAll(async () => server?.stop());

type RequestOptions = Parameters<SoftAuthenticator['get']>[0];
const interactionOf = (page: Page) => /^(.*\/interaction\/[^/?]+)/.exec(page.url)![1]!;
const csrfOf = (page: Page) => /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!;

/** What the page's script does: POST the CSRF token to an endpoint, read JSON back. */
async function postJson<T>(browser: FormBrowser, page: Page, path: string): Promise<{ status: number; body: T }> {
  const res = await browser.request(`${interactionOf(page)}${path}`, { method: 'POST', body: new URLSearchParams({ _csrf: csrfOf(page) }).toString(), headers: { accept: 'application/json' } });
  return { status: res.status, body: (res.html ? JSON.parse(res.html) : {}) as T };
}

/** An account with a password (signed up at the relaxed client) and one passkey added through the domain. */
async function accountWithPasskey(email: string): Promise<{ accountId: string; authenticator: SoftAuthenticator }> {
  const browser = newBrowser();
  const done = await consentIfAsked(browser, await signUp(server, browser, await browser.get((await relaxed.authorizationUrl()).url), email, password));
  expect(done.url.startsWith(CALLBACK)).toBe(true);
  const accountId = (await server.services.accounts.findAccountByEmail(email))!.id;
  const authenticator = createSoftAuthenticator();
  const interactionUid = `test-${Math.random().toString(36).slice(2)}`;
  const options = await server.services.passkeys.registrationOptions({ interactionUid, accountId, email });
  const registered = await server.services.passkeys.verifyRegistration({ interactionUid, accountId, response: JSON.stringify(authenticator.create(options, server.url)), name: 'Test key' });
  expect(registered.status).toBe('ok');
  return { accountId, authenticator };
}

/** A fresh browser signs in with the password at the strict client and reaches the second-factor page. */
async function atSecondFactor(email: string) {
  const browser = newBrowser();
  const auth = await strict.authorizationUrl();
  const page = await enterEmailAndPassword(browser, await browser.get(auth.url), email, password);
  expect(page.url).toMatch(/\/mfa$/);
  return { browser, auth, page };
}

async function passkeyOptions(browser: FormBrowser, page: Page): Promise<RequestOptions> {
  const { status, body } = await postJson<RequestOptions>(browser, page, '/mfa/passkey/options');
  expect(status).toBe(200);
  return body;
}

const answer = (browser: FormBrowser, page: Page, response: unknown, extra: Record<string, string> = {}) =>
  browser.submit(page, '/mfa/passkey', { response: typeof response === 'string' ? response : JSON.stringify(response), ...extra });

async function claimsAt(browser: FormBrowser, page: Page, auth: Awaited<ReturnType<RelyingParty['authorizationUrl']>>) {
  const done = await consentIfAsked(browser, page);
  expect(done.url.startsWith(CALLBACK), done.html.slice(0, 500)).toBe(true);
  return (await strict.exchange(done.url, auth)).claims()!;
}

/** Refused on the MFA page with `message`; the interaction still waits for the second factor. */
async function expectRefused(browser: FormBrowser, at: Page, page: Page, message: string, status = 401) {
  expect(page.status).toBe(status);
  expect(page.url).not.toContain(CALLBACK);
  expect(page.html).toContain(message);
  expect((await browser.get(at.url)).html).toContain('Use a passkey');
}

let owner: { accountId: string; authenticator: SoftAuthenticator };
let other: { accountId: string; authenticator: SoftAuthenticator };

beforeAll(async () => {
  owner = await accountWithPasskey('mira@example.com');
  other = await accountWithPasskey('otto@example.com');
});

describe('a passkey as the second factor', () => {
  it('is offered on the MFA page instead of TOTP setup, with options naming the account\'s passkeys', async () => {
    const { browser, page } = await atSecondFactor('mira@example.com');
    expect(page.html).toContain('Two-step verification');
    expect(page.html).toContain('Use a passkey');
    expect(page.html).toContain('data-passkey-second-factor');
    expect(page.html).toContain('/assets/passkey.js');
    expect(page.html).not.toContain('Set up two-step verification');
    const options = await passkeyOptions(browser, page);
    expect(options).toMatchObject({ rpId: 'localhost', userVerification: 'preferred' });
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([owner.authenticator.credentialId]);
  });

  it('finishes the sign-in: acr 2fa, amr pwd + hwk + user + mfa', async () => {
    const { browser, auth, page } = await atSecondFactor('mira@example.com');
    const claims = await claimsAt(browser, await answer(browser, page, owner.authenticator.get(await passkeyOptions(browser, page), server.url)), auth);
    expect(claims.sub).toBe(owner.accountId);
    expect(claims.acr).toBe(ACR_2FA);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
  });

  it('accepts a passkey that did not verify the user (presence is enough here): amr without user', async () => {
    const { browser, auth, page } = await atSecondFactor('mira@example.com');
    const response = owner.authenticator.get(await passkeyOptions(browser, page), server.url, { userVerified: false });
    const claims = await claimsAt(browser, await answer(browser, page, response), auth);
    expect(claims.acr).toBe(ACR_2FA);
    expect(claims.amr).toEqual(['pwd', 'hwk', 'mfa']);
  });

  it('refuses another account\'s passkey with a clear message', async () => {
    const { browser, page } = await atSecondFactor('mira@example.com');
    const refused = await answer(browser, page, other.authenticator.get(await passkeyOptions(browser, page), server.url));
    await expectRefused(browser, page, refused, 'That passkey belongs to another account');
  });

  it('refuses a replayed answer, and one whose counter does not move forward', async () => {
    const first = await atSecondFactor('mira@example.com');
    const response = owner.authenticator.get(await passkeyOptions(first.browser, first.page), server.url);
    expect((await claimsAt(first.browser, await answer(first.browser, first.page, response), first.auth)).acr).toBe(ACR_2FA);
    const second = await atSecondFactor('mira@example.com');
    await passkeyOptions(second.browser, second.page);
    await expectRefused(second.browser, second.page, await answer(second.browser, second.page, response), 'That passkey request has expired or was already used');
    // An answer signed over a live challenge but with a counter that went back (a cloned key or a recorded answer).
    const again = await atSecondFactor('mira@example.com');
    const fresh = owner.authenticator.get(await passkeyOptions(again.browser, again.page), server.url, { counter: 1 });
    await expectRefused(again.browser, again.page, await answer(again.browser, again.page, fresh), 'already used, or the passkey may have been copied');
  });

  it('refuses a challenge from another interaction, and a sign-in challenge of this one', async () => {
    const elsewhere = await atSecondFactor('mira@example.com');
    const foreign = owner.authenticator.get(await passkeyOptions(elsewhere.browser, elsewhere.page), server.url);
    const here = await atSecondFactor('mira@example.com');
    await expectRefused(here.browser, here.page, await answer(here.browser, here.page, foreign), 'That passkey request has expired or was already used');

    const { body: signInOptions } = await postJson<RequestOptions>(here.browser, here.page, '/passkey/authenticate/options');
    await expectRefused(here.browser, here.page, await answer(here.browser, here.page, owner.authenticator.get(signInOptions, server.url)), 'That passkey request has expired or was already used');
    // The foreign interaction's challenge was not spent by the failed attempt elsewhere (it was bound to its own interaction).
    const claims = await claimsAt(elsewhere.browser, await answer(elsewhere.browser, elsewhere.page, owner.authenticator.get(await passkeyOptions(elsewhere.browser, elsewhere.page), server.url)), elsewhere.auth);
    expect(claims.acr).toBe(ACR_2FA);
  });

  it('refuses a wrong origin and a malformed answer with 4xx pages, never a 500', async () => {
    const { browser, page } = await atSecondFactor('mira@example.com');
    const wrongOrigin = owner.authenticator.get(await passkeyOptions(browser, page), 'https://evil.example');
    await expectRefused(browser, page, await answer(browser, page, wrongOrigin), 'made for another website');
    await expectRefused(browser, page, await answer(browser, page, '{"nonsense":true}'), 'did not send a passkey we could read', 400);
    await expectRefused(browser, page, await answer(browser, page, ''), 'did not send a passkey we could read', 400);
  });

  it('remembers this device when asked, so the next sign-in skips the second step', async () => {
    const { browser, page } = await atSecondFactor('mira@example.com');
    const done = await answer(browser, page, owner.authenticator.get(await passkeyOptions(browser, page), server.url), { remember: 'yes' });
    expect((await consentIfAsked(browser, done)).url.startsWith(CALLBACK)).toBe(true);
    expect(browser.cookie('foyer.mfa_device')).toBeTruthy();
    const next = await strict.authorizationUrl({ prompt: 'login' });
    const after = await enterEmailAndPassword(browser, await browser.get(next.url), 'mira@example.com', password);
    expect((await consentIfAsked(browser, after)).url.startsWith(CALLBACK)).toBe(true);
  });

  it('is not offered after a passkey sign-in (two factors must differ in kind), nor without a passkey', async () => {
    expect(offeredSecondFactors(['hwk'], { totp: false, recoveryCodes: false, verifiedEmail: true, passkey: true })).toEqual(['email']);
    expect(offeredSecondFactors(['swk'], { totp: true, recoveryCodes: false, verifiedEmail: false, passkey: true })).toEqual(['totp']);
    expect(offeredSecondFactors(['pwd'], { totp: false, recoveryCodes: false, verifiedEmail: true, passkey: true })).toEqual(['passkey', 'email']);

    const browser = newBrowser();
    const start = await browser.get((await relaxed.authorizationUrl()).url);
    await consentIfAsked(browser, await signUp(server, browser, start, 'nokey@example.com', password));
    const { page } = await atSecondFactor('nokey@example.com');
    expect(page.html).not.toContain('Use a passkey');
    const { browser: b2, page: p2 } = await atSecondFactor('nokey@example.com');
    const { status, body } = await postJson<{ message: string }>(b2, p2, '/mfa/passkey/options');
    expect(status).toBe(400);
    expect(body.message).toContain('not available');
  });

  it('throttles repeated failures for the account, then refuses even a good answer', async () => {
    const account = await accountWithPasskey('tess@example.com');
    const intruder = createSoftAuthenticator();
    const { browser, page } = await atSecondFactor('tess@example.com');
    let last: Page | undefined;
    for (let i = 0; i < 12 && last?.status !== 429; i++) {
      last = await answer(browser, page, intruder.get(await passkeyOptions(browser, page), server.url));
    }
    expect(last!.status).toBe(429);
    expect(last!.html).toContain('Too many attempts');
    const good = await answer(browser, page, account.authenticator.get(await passkeyOptions(browser, page), server.url));
    expect(good.status).toBe(429);
  });

  it('checks at most the limit of a burst of wrong answers, and refuses the good answer sent with them', async () => {
    const account = await accountWithPasskey('tom@example.com');
    const { browser, page } = await atSecondFactor('tom@example.com');
    const options = await passkeyOptions(browser, page);
    const before = server.services.throttle.verificationsRun('passkey-mfa');
    const wrong = Array.from({ length: 40 }, () => answer(browser, page, account.authenticator.get(options, server.url, { origin: 'https://evil.example' })));
    const pages = await Promise.all([...wrong, answer(browser, page, account.authenticator.get(options, server.url))]);
    expect(server.services.throttle.verificationsRun('passkey-mfa') - before).toBeLessThanOrEqual(server.config.throttle.emailAddressFailures);
    expect(pages.at(-1)!.status).toBe(429);
    expect(pages.at(-1)!.html).toContain('Too many attempts');
  });
});
