// Social login against a real upstream oidc-provider on 127.0.0.1: sign-up and stable sub, linking to a
// password account only after its password, never linking an unconfirmed email, and clear errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { newBrowser, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startAtUpstream, startUpstream, UPSTREAM_CLIENT, type Upstream } from './upstream.ts';

let upstream: Upstream;
let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  upstream = await startUpstream({
    newcomer: { email: 'newcomer@social.example', email_verified: true },
    owner: { email: 'owner@example.com', email_verified: true },
    mallory: { email: 'victim@example.com', email_verified: false },
    nomail: {},
  });
  server = await startTestServer({
    outboundAllowPrivate: true,
    connectors: [
      { id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email'], enabled: true },
      { id: 'off', kind: 'oidc', name: 'Switched Off', issuer: upstream.issuer, clientId: 'x', clientSecret: 'y', scopes: ['openid'], enabled: false },
    ],
  });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
  for (const email of ['owner@example.com', 'victim@example.com']) {
    await server.services.accounts.insertAccount({ email, status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
  }
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

async function signInVia(login: string) {
  const { browser, auth, back } = await startAtUpstream(app, login);
  const callback = await throughPrompts(browser, back);
  expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 500)).toBe(true);
  const tokens = await app.exchange(callback.url, auth);
  return tokens.claims()!;
}

const identities = (subject: string) => server.dbHandle.db('federated_identities').where({ connector: 'social', subject });

describe('first sign-in through the upstream', () => {
  it('creates a verified account without a password, and the same sub signs in the second time', async () => {
    const first = await signInVia('newcomer');
    expect(first.amr).toEqual(['fed']);
    const account = await server.services.accounts.findAccountByEmail('newcomer@social.example');
    expect(account).toMatchObject({ id: first.sub, emailVerified: true, passwordHash: null, status: 'active' });
    const second = await signInVia('newcomer');
    expect(second.sub).toBe(first.sub);
    expect(await identities('newcomer')).toHaveLength(1);
  });
});

describe('an upstream email that already has an account', () => {
  it('links only after the account password, never after a wrong one', async () => {
    const { browser, auth, back } = await startAtUpstream(app, 'owner');
    expect(back.url).toContain('/federation/link');
    expect(back.html).toContain('This email already has an account: sign in to link');
    const wrong = await browser.submit(back, '/federation/link', { password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Incorrect email or password.');
    expect(await identities('owner')).toHaveLength(0);
    const callback = await throughPrompts(browser, await browser.submit(wrong, '/federation/link', { password }));
    expect(callback.url.startsWith(CALLBACK)).toBe(true);
    const owner = await server.services.accounts.findAccountByEmail('owner@example.com');
    expect((await app.exchange(callback.url, auth)).claims()!.sub).toBe(owner!.id);
    expect(await identities('owner')).toMatchObject([{ account_id: owner!.id }]);
    // Linked now: the next sign-in through the upstream goes straight in.
    expect((await signInVia('owner')).sub).toBe(owner!.id);
  });
});

describe('an upstream email that is not confirmed', () => {
  it('never links or creates an account, and offers the normal way in', async () => {
    const accountsBefore = Number((await server.dbHandle.db('accounts').count('* as n'))[0]!.n);
    for (const login of ['mallory', 'nomail']) {
      const { back } = await startAtUpstream(app, login);
      expect(back.html).toContain('We could not confirm your email');
      expect(back.html).toContain('/signup"');
      expect(back.html).not.toContain('name="password"');
      expect(await identities(login)).toHaveLength(0);
    }
    expect(Number((await server.dbHandle.db('accounts').count('* as n'))[0]!.n)).toBe(accountsBefore);
  });
});

describe('bad input', () => {
  it('answers a callback with an unknown state with a clear 400 page', async () => {
    const page = await newBrowser().get(`${server.url}/federation/callback?code=abc&state=not-a-state-we-issued`);
    expect(page.status).toBe(400);
    expect(page.html).toContain('This sign-in link is not valid or has expired');
  });

  it('shows a clear page when the upstream answers access_denied, and the state cannot be replayed', async () => {
    const browser = new FormBrowser((url) => url.startsWith(upstream.issuer));
    const first = await browser.get((await app.authorizationUrl()).url);
    const redirect = await browser.submit(first, '/federation/social', {});
    const state = new URL(redirect.url).searchParams.get('state')!;
    expect(new URL(redirect.url).searchParams.get('code_challenge_method')).toBe('S256');
    const denied = await browser.get(`${server.url}/federation/callback?error=access_denied&state=${encodeURIComponent(state)}`);
    expect(denied.status).toBe(400);
    expect(denied.html).toContain('Sign-in with Social was cancelled');
    const replay = await browser.get(`${server.url}/federation/callback?code=abc&state=${encodeURIComponent(state)}`);
    expect(replay.html).toContain('This sign-in link is not valid or has expired');
  });

  it('does not show a disabled connector, and its route answers 404', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    expect(first.html).not.toContain('Switched Off');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(first.html)![1]!;
    const page = await browser.request(`${first.url}/federation/off`, { method: 'POST', body: `_csrf=${encodeURIComponent(csrf)}` });
    expect(page.status).toBe(404);
    expect(await browser.request(`${first.url}/federation/social`, { method: 'POST', body: '' }).then((p) => p.status)).toBe(403);
  });
});
