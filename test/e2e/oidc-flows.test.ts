// The core protocol end to end: sign-up, verification, consent, code exchange, tokens, refresh rotation,
// revocation, logout, SSO to a second app — with openid-client as the relying party.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../support/relying-party.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let shop: RelyingParty;
let blog: RelyingParty;
const email = 'ada@example.com';
const password = 'correct horse battery staple';

beforeAll(async () => {
  server = await startTestServer();
  shop = await createRelyingParty(server, { clientId: 'shop', name: 'Example Shop', scope: 'openid email profile offline_access' });
  blog = await createRelyingParty(server, { clientId: 'blog', name: 'Example Blog' });
});
afterAll(async () => server?.stop());

describe('a new customer', () => {
  const browser = newBrowser();
  let tokens: Awaited<ReturnType<RelyingParty['exchange']>>;

  it('signs up, verifies the email, consents, and the app receives valid tokens', async () => {
    const auth = await shop.authorizationUrl({ scope: 'openid email offline_access', prompt: 'consent' });
    const first = await browser.get(auth.url);
    expect(first.url).toMatch(/\/interaction\/[\w-]+$/);
    expect(first.html).toContain('name="email"');
    expect(first.html).toContain('Create account');

    const afterSignUp = await signUp(server, browser, first, email, password);
    expect(afterSignUp.html).toContain('Example Shop');
    expect(afterSignUp.html).toContain('Your email address');
    const callback = await consentIfAsked(browser, afterSignUp);
    expect(callback.url.startsWith(CALLBACK)).toBe(true);

    tokens = await shop.exchange(callback.url, auth);
    const claims = tokens.claims()!;
    expect(claims.iss).toBe(server.url);
    expect(claims.aud).toBe('shop');
    expect(tokens.refresh_token).toBeTruthy();
    const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString());
    expect(header.alg).toBe('ES256');

    const userinfo = await oidc.fetchUserInfo(shop.config, tokens.access_token, claims.sub);
    expect(userinfo).toMatchObject({ sub: claims.sub, email, email_verified: true });
  });

  it('rotates the refresh token; the old one stops working after the grace and revokes the grant', async () => {
    const rotated = await oidc.refreshTokenGrant(shop.config, tokens.refresh_token!);
    expect(rotated.refresh_token).toBeTruthy();
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    // Within the grace a second tab may use the old token once more without harm.
    const sameTime = await oidc.refreshTokenGrant(shop.config, tokens.refresh_token!);
    expect(sameTime.access_token).toBeTruthy();
    await server.dbHandle.db('oidc_models').where({ model: 'RefreshToken' }).whereNotNull('consumed_at').update({ consumed_at: new Date(Date.now() - 60_000) });
    await expect(oidc.refreshTokenGrant(shop.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Reuse after the grace revoked the whole grant: the newest token is dead too.
    await expect(oidc.refreshTokenGrant(shop.config, rotated.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('revocation ends a refresh token at once and introspection says inactive', async () => {
    const auth = await shop.authorizationUrl({ scope: 'openid email offline_access', prompt: 'consent' });
    const page = await consentIfAsked(browser, await browser.get(auth.url));
    const fresh = await shop.exchange(page.url, auth);
    expect((await oidc.tokenIntrospection(shop.config, fresh.access_token)).active).toBe(true);
    await oidc.tokenRevocation(shop.config, fresh.refresh_token!);
    await expect(oidc.refreshTokenGrant(shop.config, fresh.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(shop.config, fresh.access_token)).active).toBe(false);
  });

  it('signs in to a second app without a password (SSO), after consenting to it', async () => {
    const auth = await blog.authorizationUrl();
    const page = await browser.get(auth.url);
    expect(page.html).not.toContain('name="password"');
    expect(page.html).toContain('Example Blog');
    const callback = await consentIfAsked(browser, page);
    const blogTokens = await blog.exchange(callback.url, auth);
    expect(blogTokens.claims()!.sub).toBe(tokens.claims()!.sub);
  });

  it('is not asked again for consent on record, even in a new browser', async () => {
    const other = newBrowser();
    const auth = await blog.authorizationUrl();
    const callback = await enterEmailAndPassword(other, await other.get(auth.url), email, password);
    expect(callback.url.startsWith(CALLBACK)).toBe(true);
  });

  it('signs out through RP-initiated logout with a Sign out button', async () => {
    const url = oidc.buildEndSessionUrl(shop.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/bye' });
    const confirm = await browser.get(url.href);
    expect(confirm.html).toMatch(/<button[^>]*>Sign out<\/button>/);
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.url.startsWith('http://127.0.0.1:9/bye')).toBe(true);
    const auth = await blog.authorizationUrl();
    const page = await browser.get(auth.url);
    expect(page.html).toContain('name="email"');
  });
});

describe('a returning customer', () => {
  it('gets "incorrect email or password" for a wrong password and for an unknown email alike', async () => {
    const browser = newBrowser();
    const auth = await shop.authorizationUrl();
    const wrong = await enterEmailAndPassword(browser, await browser.get(auth.url), email, 'not the password at all');
    const unknown = await enterEmailAndPassword(browser, await browser.get((await shop.authorizationUrl()).url), 'nobody@example.com', 'not the password at all');
    for (const page of [wrong, unknown]) {
      expect(page.html).toContain('Incorrect email or password.');
      expect(page.html).toContain('Forgot password?');
    }
    expect(wrong.status).toBe(unknown.status);
  });
});
