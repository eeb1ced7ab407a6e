// A second, real oidc-provider on 127.0.0.1 acting as the upstream "social" provider for Foyer's tests:
// its own RSA key, one client (Foyer), a few users, and oidc-provider's built-in dev login page.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { expect } from 'vitest';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { newBrowser } from '../../support/journey.ts';
import type { RelyingParty } from '../../support/relying-party.ts';

export const UPSTREAM_CLIENT = { id: 'foyer', secret: 'upstream-client-secret-for-tests' };
/** The same, registered to send its secret in the token request body (as Foyer's GitHub and Facebook presets do). */
export const UPSTREAM_POST_CLIENT = { id: 'foyer-post', secret: 'upstream-post-client-secret-for-tests' };

export interface Upstream {
  issuer: string;
  /** Points the upstream's one client at Foyer's callback (Foyer's port is known only once it runs). */
  register(redirectUri: string): void;
  /** From now on publishes, under the same kid, a key it does not sign with (a misbehaving upstream). */
  publishForeignKey(): void;
  close(): Promise<void>;
}

export type UpstreamUser = { email?: string; email_verified?: boolean } & Partial<Record<'name' | 'given_name' | 'family_name' | 'picture' | 'birthdate' | 'locale', string>>
  /** Served GitHub-style at /user and /user/emails (bearer access token of this upstream). */
  & { github?: { id: number; login: string; avatar_url?: string; emails: { email: string; primary: boolean; verified: boolean }[] } };

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
        clients: [
          { client_id: UPSTREAM_CLIENT.id, client_secret: UPSTREAM_CLIENT.secret, redirect_uris: [redirectUri], response_types: ['code'], grant_types: ['authorization_code'] },
          { client_id: UPSTREAM_POST_CLIENT.id, client_secret: UPSTREAM_POST_CLIENT.secret, redirect_uris: [redirectUri], response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_post' },
        ],
        jwks: { keys: [jwk as never] },
        findAccount: (_ctx, sub) => {
          if (!users[sub]) return undefined;
          const { github: _github, ...claims } = users[sub];
          return { accountId: sub, claims: () => ({ sub, ...claims }) };
        },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'picture', 'birthdate', 'locale'] },
        features: { devInteractions: { enabled: true } },
        // FormBrowser keeps one cookie jar for every host: the upstream's cookies get names of their own.
        cookies: { names: { session: 'up_session', interaction: 'up_interaction', resume: 'up_resume' }, keys: ['upstream-cookie-key'] },
      });
      http.removeAllListeners('request');
      const handle = provider.callback();
      http.on('request', (req, res) => {
        if (req.url === '/user' || req.url === '/user/emails') return void serveGithubApi(provider, users, req, res);
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

/** GitHub's /user and /user/emails, for the access tokens this upstream issued (its own AccessToken lookup). */
async function serveGithubApi(provider: Provider, users: Record<string, UpstreamUser>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const found = token ? await provider.AccessToken.find(token) : undefined;
  const github = found?.accountId ? users[found.accountId]?.github : undefined;
  res.setHeader('content-type', 'application/json');
  if (!github) {
    res.statusCode = 401;
    return void res.end(JSON.stringify({ message: 'Bad credentials' }));
  }
  const { emails, ...user } = github;
  res.end(JSON.stringify(req.url === '/user/emails' ? emails : { ...user, name: users[found!.accountId!]!.name ?? null, email: null }));
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
