// A second, real oidc-provider on 127.0.0.1 acting as the upstream "social" provider for Foyer's tests:
// its own RSA key, one client (Foyer), a few users, and oidc-provider's built-in dev login page.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { expect } from 'vitest';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { newBrowser } from '../../support/journey.ts';
import type { RelyingParty } from '../../support/relying-party.ts';

export const UPSTREAM_CLIENT = { id: 'foyer', secret: 'upstream-client-secret-for-tests' };

export interface Upstream {
  issuer: string;
  /** Points the upstream's one client at Foyer's callback (Foyer's port is known only once it runs). */
  register(redirectUri: string): void;
  /** From now on publishes, under the same kid, a key it does not sign with (a misbehaving upstream). */
  publishForeignKey(): void;
  close(): Promise<void>;
}

export type UpstreamUser = { email?: string; email_verified?: boolean } & Partial<Record<'name' | 'given_name' | 'family_name' | 'picture' | 'birthdate' | 'locale', string>>;

export async function startUpstream(users: Record<string, UpstreamUser>): Promise<Upstream> {
  const http: Server = createServer((_req, res) => { res.statusCode = 503; res.end(); });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  let foreignKey: object | undefined;
  const jwk = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'upstream-1', use: 'sig' };
  return {
    issuer,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [{ client_id: UPSTREAM_CLIENT.id, client_secret: UPSTREAM_CLIENT.secret, redirect_uris: [redirectUri], response_types: ['code'], grant_types: ['authorization_code'] }],
        jwks: { keys: [jwk as never] },
        findAccount: (_ctx, sub) => (users[sub] ? { accountId: sub, claims: () => ({ sub, ...users[sub] }) } : undefined),
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'picture', 'birthdate', 'locale'] },
        features: { devInteractions: { enabled: true } },
        // FormBrowser keeps one cookie jar for every host: the upstream's cookies get names of their own.
        cookies: { names: { session: 'up_session', interaction: 'up_interaction', resume: 'up_resume' }, keys: ['upstream-cookie-key'] },
      });
      http.removeAllListeners('request');
      const handle = provider.callback();
      http.on('request', (req, res) => {
        if (foreignKey && req.url === '/jwks') {
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ keys: [foreignKey] }));
        }
        return handle(req, res);
      });
    },
    publishForeignKey() {
      foreignKey = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'upstream-1', use: 'sig' };
    },
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

/** On the upstream's dev login page: signs in as `login`, then passes its consent page. */
export async function upstreamLogin(browser: FormBrowser, page: Page, login: string): Promise<Page> {
  if (!page.html.includes('name="login"')) throw new Error(`not the upstream login page: ${page.url}\n${page.html.slice(0, 500)}`);
  let next = await browser.submit(page, '/interaction/', { login, password: 'anything' });
  if (next.html.includes('name="prompt" value="consent"')) next = await browser.submit(next, '/interaction/', {});
  return next;
}

/** Starts a sign-in at `app` in a fresh browser, presses "Continue with Social" and signs in upstream as `login`. */
export async function startAtUpstream(app: RelyingParty, login: string) {
  const browser = newBrowser();
  const auth = await app.authorizationUrl();
  const first = await browser.get(auth.url);
  expect(first.html).toContain('Continue with Social');
  const back = await upstreamLogin(browser, await browser.submit(first, '/federation/social', {}), login);
  return { browser, auth, first, back };
}
