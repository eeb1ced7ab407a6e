// Statements per request on the token paths, traced with knex's `query` event from each request's start to its
// answer (background loops left out): on loopback each statement costs its round trip in CPU, so these counts
// are what the bench's refresh, userinfo and client-credentials figures rest on (docs/contributors/testing.md).
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
let machine: RelyingParty;
const API = 'https://api.example.com';

const request = new AsyncLocalStorage<string[]>();
let traced: string[][] = [];
const onRequestStart = () => {
  const statements: string[] = [];
  traced.push(statements);
  request.enterWith(statements);
};
const onQuery = (q: { sql: string }) => request.getStore()?.push(q.sql);

/** The statements each request made while `act` ran (one entry per request the server received). */
async function tracedOnce(act: () => Promise<unknown>): Promise<string[][]> {
  traced = [];
  await act();
  // The response is sent before a request's last awaited work settles (e.g. a deferred write): let it finish.
  await new Promise((resolve) => setTimeout(resolve, 50));
  return traced;
}

/**
 * The steady state: the fewest statements of three tries. A read cache (clients, grants, brands: a few seconds
 * each) may refill during any one request on a slow machine; it cannot in all three in a row.
 */
async function statementsOf(act: () => Promise<unknown>): Promise<string[][]> {
  const tries: string[][][] = [];
  for (let i = 0; i < 3; i++) tries.push(await tracedOnce(act));
  const total = (t: string[][]) => t.reduce((n, r) => n + r.length, 0);
  return tries.reduce((best, t) => (total(t) < total(best) ? t : best));
}

beforeAll(async () => {
  server = await startTestServer();
  await server.services.resources.addResource(API, ['read']);
  app = await createRelyingParty(server, { clientId: 'home', name: 'Home', firstParty: true, scope: 'openid email' });
  machine = await createRelyingParty(server, { clientId: 'worker', grantTypes: ['client_credentials'], redirectUris: [], scope: 'read' });
  subscribe('http.server.request.start', onRequestStart);
  server.services.db.on('query', onQuery);
});
afterAll(async () => {
  unsubscribe('http.server.request.start', onRequestStart);
  server?.services.db.off('query', onQuery);
  await server?.stop();
});

describe('statements per request on the token paths', () => {
  let tokens: oidc.TokenEndpointResponse;

  beforeAll(async () => {
    const browser = newBrowser();
    const auth = await app.authorizationUrl({ scope: 'openid email' });
    const callback = await signUp(server, browser, await browser.get(auth.url), 'counted@example.com', 'a long and unusual passphrase');
    expect(callback.url.startsWith(CALLBACK)).toBe(true);
    tokens = await app.exchange(callback.url, auth);
    expect(tokens.refresh_token).toBeTruthy();
  });

  it('refresh with rotation: the token with its session and its account with the purposes, and one write (the old token consumed, the new refresh and access tokens stored)', async () => {
    // Once first, so the client and grant are in their read caches (5 s), as under load.
    tokens = await oidc.refreshTokenGrant(app.config, tokens.refresh_token!);
    let refreshed: oidc.TokenEndpointResponse | undefined;
    const [statements, ...more] = await statementsOf(async () => {
      refreshed = await oidc.refreshTokenGrant(app.config, (refreshed ?? tokens).refresh_token!);
    });
    expect(more).toEqual([]);
    expect(refreshed?.refresh_token).toBeTruthy();
    expect(refreshed?.id_token).toBeTruthy();
    expect(statements, statements!.join('\n')).toHaveLength(2);
    tokens = refreshed!;
  });

  it('userinfo: the access token with its session and its account with the purposes, in one statement', async () => {
    await oidc.fetchUserInfo(app.config, tokens.access_token, oidc.skipSubjectCheck);
    let claims: oidc.UserInfoResponse | undefined;
    const [statements, ...more] = await statementsOf(async () => {
      claims = await oidc.fetchUserInfo(app.config, tokens.access_token, oidc.skipSubjectCheck);
    });
    expect(more).toEqual([]);
    expect(claims?.email).toBe('counted@example.com');
    expect(statements, statements!.join('\n')).toHaveLength(1);
  });

  it('client credentials with an ES256 JWT: no statement (client, resource and keys are read from caches)', async () => {
    await oidc.clientCredentialsGrant(machine.config, { scope: 'read', resource: API });
    const [statements, ...more] = await statementsOf(() => oidc.clientCredentialsGrant(machine.config, { scope: 'read', resource: API }));
    expect(more).toEqual([]);
    expect(statements, statements!.join('\n')).toHaveLength(0);
  });
});

describe('what the combined reads and writes keep', () => {
  const signedIn = async (email: string) => {
    const browser = newBrowser();
    const auth = await app.authorizationUrl({ scope: 'openid email' });
    const callback = await signUp(server, browser, await browser.get(auth.url), email, 'a long and unusual passphrase');
    return app.exchange(callback.url, auth);
  };

  it('one refresh token used from several tabs at once: each gets its own working successor, the old token is consumed once', async () => {
    const tokens = await signedIn('tabs@example.com');
    const results = await Promise.all(Array.from({ length: 5 }, () => oidc.refreshTokenGrant(app.config, tokens.refresh_token!)));
    const successors = new Set(results.map((r) => r.refresh_token));
    expect(successors.size).toBe(5);
    expect(successors.has(tokens.refresh_token)).toBe(false);
    const spent = await server.dbHandle.db('oidc_models').where({ model: 'RefreshToken' }).whereNotNull('consumed_at').select('id');
    expect(spent.length).toBeGreaterThanOrEqual(1);
    for (const next of await Promise.all(results.map((r) => oidc.refreshTokenGrant(app.config, r.refresh_token!)))) expect(next.access_token).toBeTruthy();
  });

  it('a session ended elsewhere ends its tokens at the next request (the session is read with the token, never cached)', async () => {
    const tokens = await signedIn('ended@example.com');
    expect((await oidc.fetchUserInfo(app.config, tokens.access_token, oidc.skipSubjectCheck)).email).toBe('ended@example.com');
    const account = await server.services.accounts.findAccountByEmail('ended@example.com');
    await server.dbHandle.db('oidc_models').where({ model: 'Session', account_id: account!.id }).delete();
    const userinfo = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(userinfo.status).toBe(401);
    await expect(oidc.refreshTokenGrant(app.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
