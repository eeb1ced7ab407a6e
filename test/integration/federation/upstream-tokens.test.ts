// ID tokens Foyer must not accept from an upstream: one carrying another nonce than the one sent, and one
// signed by a key the upstream does not publish. Both end on a clear error page, with no sign-in and no account.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startUpstream, UPSTREAM_CLIENT, upstreamLogin, type Upstream } from './upstream.ts';

let upstream: Upstream;
let server: TestServer;
let app: RelyingParty;

/** A fresh upstream and Foyer for each test: Foyer caches the upstream's published keys. */
beforeEach(async () => {
  upstream = await startUpstream({ alice: { email: 'alice@social.example', email_verified: true } });
  server = await startTestServer({
    outboundAllowPrivate: true,
    connectors: [{ id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email'], enabled: true }],
  });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
}, 60_000);
afterEach(async () => {
  await server?.stop();
  await upstream?.close();
});

/** Signs in as alice at the upstream; `tamper` may rewrite Foyer's authorization request on its way there. */
async function signInThroughUpstream(tamper: (url: URL) => void = () => {}) {
  let holdRequest = true;
  const browser = new FormBrowser((url) => url.startsWith(CALLBACK) || (holdRequest && url.startsWith(upstream.issuer)));
  const first = await browser.get((await app.authorizationUrl()).url);
  const request = new URL((await browser.submit(first, '/federation/social', {})).url);
  tamper(request);
  holdRequest = false;
  return upstreamLogin(browser, await browser.get(request.href), 'alice');
}

const nothingSignedIn = async () => {
  expect(await server.dbHandle.db('federated_identities').where({ connector: 'social' })).toHaveLength(0);
  expect(await server.services.accounts.findAccountByEmail('alice@social.example')).toBeUndefined();
};

describe('ID tokens from the upstream', () => {
  it('are accepted when all is well (the two tests below fail for their own reason)', async () => {
    const page = await signInThroughUpstream();
    expect(page.status).toBe(200);
    expect(page.html).not.toContain('did not confirm who you are');
    expect(await server.dbHandle.db('federated_identities').where({ connector: 'social' })).toHaveLength(1);
  });

  it('are refused when their nonce is not the one Foyer sent', async () => {
    const page = await signInThroughUpstream((url) => url.searchParams.set('nonce', 'a-nonce-foyer-never-sent'));
    expect(page.url).toContain('/federation/continue');
    expect(page.status).toBe(400);
    expect(page.html).toContain('Social did not confirm who you are');
    await nothingSignedIn();
  });

  it('are refused when signed by a key the upstream does not publish', async () => {
    upstream.publishForeignKey();
    const page = await signInThroughUpstream();
    expect(page.status).toBe(400);
    expect(page.html).toContain('Social did not confirm who you are');
    expect(page.url.startsWith(CALLBACK)).toBe(false);
    await nothingSignedIn();
  });
});
