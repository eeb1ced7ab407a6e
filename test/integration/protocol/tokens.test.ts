// Protocol features beyond the basic code flow: client credentials with resource JWTs, PAR, first-party
// clients, key rotation reaching the running Provider, discovery, cookies.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let first: RelyingParty;
let machine: RelyingParty & { secret?: string };
const API = 'https://api.example.com';
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer();
  await server.services.resources.addResource(API, ['read', 'write']);
  first = await createRelyingParty(server, { clientId: 'home', name: 'Home', firstParty: true, scope: 'openid email profile' });
  machine = await createRelyingParty(server, { clientId: 'worker', grantTypes: ['client_credentials'], redirectUris: [], scope: 'read write' });
});
afterAll(async () => server?.stop());

describe('discovery', () => {
  it('lists code only, S256 only, ES256 first and never none, and every endpoint it names answers', async () => {
    const meta = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    expect(meta.response_types_supported).toEqual(['code']);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect((meta.id_token_signing_alg_values_supported as string[])[0]).toBe('ES256');
    expect(meta.id_token_signing_alg_values_supported).not.toContain('none');
    expect(meta.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    for (const key of ['pushed_authorization_request_endpoint', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      expect(meta[key], key).toBeTypeOf('string');
      const post = !['end_session_endpoint', 'userinfo_endpoint', 'jwks_uri'].includes(key);
      const res = await fetch(meta[key] as string, post ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : {});
      expect(res.status, key).toBeLessThan(500);
      expect(res.status, key).not.toBe(404);
    }
  });
});

describe('client credentials', () => {
  it('issues an ES256 JWT access token for a registered resource, living at most 10 minutes', async () => {
    const tokens = await oidc.clientCredentialsGrant(machine.config, { scope: 'read', resource: API });
    const jwks = jose.createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const { payload, protectedHeader } = await jose.jwtVerify(tokens.access_token, jwks, { issuer: server.url, audience: API });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.scope).toBe('read');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(600);
  });

  it('accepts the secret in the body (client_secret_post) as well as in Basic', async () => {
    const post = await oidc.discovery(new URL(server.url), 'worker', undefined, oidc.ClientSecretPost(machine.secret!), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(post, { scope: 'read', resource: API });
    expect(tokens.access_token).toBeTruthy();
    // JWT access tokens are for the API to verify; opaque ones (no resource) can be introspected.
    const opaque = await oidc.clientCredentialsGrant(post, {});
    expect((await oidc.tokenIntrospection(post, opaque.access_token)).active).toBe(true);
  });

  it('refuses an unknown resource and a wrong secret', async () => {
    await expect(oidc.clientCredentialsGrant(machine.config, { scope: 'read', resource: 'https://unknown.example' })).rejects.toMatchObject({ error: 'invalid_target' });
    await server.services.resources.addResource('https://other.example', ['admin']);
    await expect(oidc.clientCredentialsGrant(machine.config, { scope: 'admin', resource: 'https://other.example' })).rejects.toMatchObject({ error: 'invalid_target' });
    for (const auth of [oidc.ClientSecretPost('x'.repeat(40)), oidc.ClientSecretBasic('x'.repeat(40))]) {
      const wrong = await oidc.discovery(new URL(server.url), 'worker', undefined, auth, { execute: [oidc.allowInsecureRequests] });
      await expect(oidc.clientCredentialsGrant(wrong, { scope: 'read', resource: API })).rejects.toMatchObject({ cause: expect.anything() });
    }
    const raw = await fetch(`${server.url}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `grant_type=client_credentials&client_id=worker&client_secret=${'x'.repeat(40)}` });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ error: 'invalid_client' });
  });
});

describe('a first-party client', () => {
  it('skips the consent page for its scopes and gets a refresh token without offline_access', async () => {
    const browser = newBrowser();
    const auth = await first.authorizationUrl({ scope: 'openid email' });
    const callback = await signUp(server, browser, await browser.get(auth.url), 'home@example.com', password);
    expect(callback.url.startsWith(CALLBACK)).toBe(true);
    const tokens = await first.exchange(callback.url, auth);
    expect(tokens.refresh_token).toBeTruthy();
    const refreshed = await oidc.refreshTokenGrant(first.config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });
});

describe('pushed authorization requests', () => {
  it('work end to end', async () => {
    const browser = newBrowser();
    const auth = await first.authorizationUrl();
    const params = Object.fromEntries(new URL(auth.url).searchParams);
    const pushed = await oidc.buildAuthorizationUrlWithPAR(first.config, params);
    const page = await browser.get(pushed.href);
    const callback = await consentIfAsked(browser, await enterEmailAndPassword(browser, page, 'home@example.com', password));
    expect(callback.url.startsWith(CALLBACK)).toBe(true);
    expect((await first.exchange(callback.url, auth)).access_token).toBeTruthy();
  });
});

describe('signing keys', () => {
  it('rotate into the running Provider: new tokens use the new key, the old key stays published', async () => {
    const before = (await (await fetch(`${server.url}/jwks`)).json() as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const { created, retired } = await server.services.signingKeys.rotate(3600);
    expect(await server.host.refreshIfKeysChanged()).toBe(true);
    const after = (await (await fetch(`${server.url}/jwks`)).json() as { keys: { kid: string; d?: string }[] }).keys;
    expect(after.map((k) => k.kid)).toEqual(expect.arrayContaining([...created, ...retired]));
    expect(after.every((k) => k.d === undefined)).toBe(true);
    expect(before.every((kid) => retired.includes(kid))).toBe(true);
    const tokens = await oidc.clientCredentialsGrant(machine.config, { scope: 'read', resource: API });
    expect(created).toContain(jose.decodeProtectedHeader(tokens.access_token).kid);
  });

  it('are stored encrypted', async () => {
    const rows = await server.dbHandle.db('signing_keys').select('private_jwk_encrypted');
    for (const row of rows) expect(row.private_jwk_encrypted).not.toContain('"d"');
  });
});

describe('response_mode=form_post', () => {
  it('posts the code back with a script the Content-Security-Policy allows by hash', async () => {
    const browser = newBrowser();
    const auth = await first.authorizationUrl({ response_mode: 'form_post' });
    const page = await enterEmailAndPassword(browser, await browser.get(auth.url), 'home@example.com', password);
    expect(page.html).toContain(`action="${CALLBACK}"`);
    expect(page.html).toContain('name="code"');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/script-src 'self' 'sha256-[\w+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
  });
});

describe('cookies', () => {
  it('are HttpOnly and SameSite=Lax, and not Secure on a plain-http loopback issuer', async () => {
    const res = await fetch((await first.authorizationUrl()).url, { redirect: 'manual' });
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie.toLowerCase()).toContain('httponly');
      expect(cookie.toLowerCase()).toContain('samesite=lax');
    }
  });
});
