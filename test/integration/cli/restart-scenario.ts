// A restart keeps sessions, grants and tokens: sign in through a real server process (client and user
// made with the `foyer` command), stop it with SIGTERM, start it again on the same data, and the
// refresh token, the access token and the browser session (SSO) all still work.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { foyerJson, freePort, newSecret, removeDir, startServerProcess, tempDir, type FoyerEnv, type ServerProcess } from '../../support/cli.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser } from '../../support/journey.ts';
import { CALLBACK } from '../../support/relying-party.ts';

/** `makeTarget` gets a fresh temporary folder and says where the data lives (PGlite folder or PostgreSQL). */
export function restartKeepsSessionsAndTokens(makeTarget: (root: string) => Promise<{ target: FoyerEnv; cleanup?: () => Promise<void> }>): void {
  let root: string;
  let target: FoyerEnv & { port: number };
  let cleanup: (() => Promise<void>) | undefined;
  let server: ServerProcess | undefined;

  const email = 'restart@example.com';
  const password = 'granite willow hums at dawn';
  const browser = newBrowser();
  let config: oidc.Configuration;
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  let sub: string;

  beforeAll(async () => {
    root = tempDir();
    const made = await makeTarget(root);
    cleanup = made.cleanup;
    target = { ...made.target, secret: newSecret(), port: await freePort() };
    server = await startServerProcess(target);
  });
  afterAll(async () => {
    server?.kill();
    await cleanup?.();
    removeDir(root);
  });

  it('signs in a customer with a refresh token (client and user made by the foyer command)', async () => {
    const client = await foyerJson<{ client_secret: string }>(target, [
      'clients', 'add', '--client-id', 'shop', '--name', 'Example Shop', '--redirect-uri', CALLBACK, '--scope', 'openid email offline_access',
    ]);
    await foyerJson(target, ['users', 'add', '--email', email, '--password-stdin', '--verified'], { stdin: `${password}\n` });
    config = await oidc.discovery(new URL(server!.url), 'shop', { client_secret: client.client_secret }, oidc.ClientSecretBasic(client.client_secret), { execute: [oidc.allowInsecureRequests] });

    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid email offline_access', prompt: 'consent', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const signedIn = await enterEmailAndPassword(browser, await browser.get(url.href), email, password);
    // An account made by the operator has not accepted the terms yet: the first sign-in asks.
    const accepted = signedIn.html.includes('/terms"') ? await browser.submit(signedIn, '/terms', { accept: 'yes' }) : signedIn;
    const callback = await consentIfAsked(browser, accepted);
    expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 500)).toBe(true);
    tokens = await oidc.authorizationCodeGrant(config, new URL(callback.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(tokens.refresh_token).toBeTruthy();
    sub = tokens.claims()!.sub;
    expect(await oidc.fetchUserInfo(config, tokens.access_token, sub)).toMatchObject({ sub, email });
  });

  it('stops on SIGTERM (exit 0 within 10 s) and starts again on the same data and port', async () => {
    const stopped = await server!.stop('SIGTERM');
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
    expect(stopped.ms).toBeLessThan(10_000);
    server = await startServerProcess(target);
  });

  it('the access token still works at userinfo after the restart', async () => {
    expect(await oidc.fetchUserInfo(config, tokens.access_token, sub)).toMatchObject({ sub, email, email_verified: true });
  });

  it('the refresh token still works after the restart (and rotates)', async () => {
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(await oidc.fetchUserInfo(config, refreshed.access_token, sub)).toMatchObject({ sub, email });
  });

  it('the browser session still gives SSO: the next authorization goes straight back to the app', async () => {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid email', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const page = await browser.get(url.href);
    expect(page.url.startsWith(CALLBACK), `stopped at ${page.url}: ${page.html.slice(0, 500)}`).toBe(true);
    const again = await oidc.authorizationCodeGrant(config, new URL(page.url), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    expect(again.claims()!.sub).toBe(sub);
  });
}
