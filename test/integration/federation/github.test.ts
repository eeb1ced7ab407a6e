// The GitHub preset's own path (OAuth 2.0, /user, then /user/emails for the primary address), against the
// test upstream standing in for a GitHub Enterprise Server: its endpoints and a GitHub-shaped API on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBrowser, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startUpstream, UPSTREAM_POST_CLIENT, upstreamLogin, type Upstream } from './upstream.ts';

let upstream: Upstream;
let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  upstream = await startUpstream({
    octo: { name: 'The Octocat', github: { id: 583231, login: 'octocat', avatar_url: 'https://avatars.example/u/583231', emails: [
      { email: 'octo@old.example', primary: false, verified: true },
      { email: 'octo@work.example', primary: true, verified: true },
    ] } },
    privy: { github: { id: 42, login: 'privy', emails: [{ email: 'privy@example.com', primary: true, verified: false }] } },
  });
  server = await startTestServer({
    outboundAllowPrivate: true,
    connectors: [{
      id: 'gh', kind: 'github', clientId: UPSTREAM_POST_CLIENT.id, clientSecret: UPSTREAM_POST_CLIENT.secret, enabled: true, scopes: ['openid'],
      authorizationEndpoint: `${upstream.issuer}/auth`, tokenEndpoint: `${upstream.issuer}/token`, userinfoEndpoint: `${upstream.issuer}/user`,
    }],
  });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

async function viaGithub(login: string) {
  const browser = newBrowser();
  const auth = await app.authorizationUrl();
  const first = await browser.get(auth.url);
  expect(first.html).toContain('Continue with GitHub');
  return { browser, auth, back: await upstreamLogin(browser, await browser.submit(first, '/federation/gh', {}), login) };
}

describe('the GitHub preset', () => {
  it('signs up with the primary verified address from /user/emails, the numeric id as subject, and the profile from /user', async () => {
    const { browser, auth, back } = await viaGithub('octo');
    expect(back.url).toContain('/federation/import');
    expect(back.html).toContain('<label for="import-nickname">Nickname: <strong>octocat</strong>');
    expect(back.html).toContain('<label for="import-name">Full name: <strong>The Octocat</strong>');
    const callback = await throughPrompts(browser, await browser.submit(back, '/federation/import', { nickname: 'yes' }));
    expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 500)).toBe(true);
    const claims = (await app.exchange(callback.url, auth)).claims()!;
    expect(await server.services.accounts.findAccountByEmail('octo@work.example')).toMatchObject({ id: claims.sub, emailVerified: true });
    expect(await server.services.accounts.findAccountByEmail('octo@old.example')).toBeUndefined();
    expect(await server.dbHandle.db('federated_identities').where({ connector: 'gh', subject: '583231', account_id: claims.sub })).toHaveLength(1);
  });

  it('asks for an email (offering the unverified primary one, never trusting it) when GitHub has not verified it', async () => {
    const { back } = await viaGithub('privy');
    expect(back.url).toContain('/federation/email');
    expect(back.html).toContain('We could not confirm your email');
    expect(back.html).toContain('value="privy@example.com"');
    expect(await server.services.accounts.findAccountByEmail('privy@example.com')).toBeUndefined();
  });
});
