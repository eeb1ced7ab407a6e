// Connectors live in the database: the config file seeds ids that are absent (secrets sealed), the row is
// authoritative afterwards, and each client chooses which connectors its sign-in page shows. Also the
// generic OAuth 2.0 connector (the test upstream used without its ID token) and a cross-site form_post answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { createConnectorStore } from '../../../src/authn/federation/connector-store.ts';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createSecretBox } from '../../../src/security/envelope.ts';
import { decodeEntities, FormBrowser, type Page } from '../../support/form-browser.ts';
import { newBrowser, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { createTestDb } from '../../support/test-db.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startUpstream, UPSTREAM_CLIENT, upstreamLogin, type Upstream } from './upstream.ts';

let upstream: Upstream;
let dbHandle: DbHandle;
let server: TestServer;
let app: RelyingParty;

const oidcConnector = () => ({ id: 'social', kind: 'oidc' as const, name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email', 'profile'], enabled: true });
const oauth2Connector = () => ({
  id: 'plainoauth', kind: 'oauth2' as const, name: 'Plain OAuth', clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, enabled: true,
  authorizationEndpoint: `${upstream.issuer}/auth`, tokenEndpoint: `${upstream.issuer}/token`, userinfoEndpoint: `${upstream.issuer}/me`,
  scopes: ['openid', 'email', 'profile'], mapping: { profile: { nickname: 'given_name' } },
});
const formPostConnector = () => ({ ...oidcConnector(), id: 'posting', name: 'Posting', responseMode: 'form_post' as const });

beforeAll(async () => {
  upstream = await startUpstream({
    oauthuser: { email: 'oauth@social.example', email_verified: true, given_name: 'Olive' },
    poster: { email: 'poster@social.example', email_verified: true },
    alice: { email: 'alice@social.example', email_verified: true },
  });
  dbHandle = await createTestDb();
  server = await startTestServer({ outboundAllowPrivate: true, connectors: [oidcConnector(), oauth2Connector(), formPostConnector()] }, { dbHandle });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await dbHandle?.close();
  await upstream?.close();
});

/** A browser that stops once at the upstream's authorization request (to read it), then follows everything. */
function holdingBrowser() {
  let hold = true;
  const browser = new FormBrowser((url) => url.startsWith(CALLBACK) || (hold && url.startsWith(upstream.issuer)));
  return { browser, async startAt(page: Page, connector: string) {
    const request = await browser.submit(page, `/federation/${connector}`, {});
    hold = false;
    return { request: new URL(request.url), upstreamPage: await browser.get(request.url) };
  } };
}

const buttons = (html: string) => [...html.matchAll(/<button type="submit" class="secondary">Continue with ([^<]+)<\/button>/g)].map((m) => m[1]);

describe('connectors in the database', () => {
  it('are seeded from the config with the client secret sealed, and the row wins over a later config', async () => {
    const first = await newBrowser().get((await app.authorizationUrl()).url);
    expect(buttons(first.html)).toEqual(['Social', 'Plain OAuth', 'Posting']);
    const rows = await dbHandle.db('connectors').orderBy('id');
    expect(rows.map((r: { id: string }) => r.id)).toEqual(['plainoauth', 'posting', 'social']);
    for (const row of rows) {
      expect(row.secrets_encrypted).toBeTruthy();
      expect(row.secrets_encrypted).not.toContain(UPSTREAM_CLIENT.secret);
      expect(JSON.stringify(row.settings)).not.toContain(UPSTREAM_CLIENT.secret);
    }

    // Another server on the same database with a changed config: the stored rows stand.
    const second = await startTestServer({ outboundAllowPrivate: true, secret: server.config.secret, connectors: [{ ...oidcConnector(), name: 'Renamed In Config', enabled: false }] }, { dbHandle });
    try {
      const client = await createRelyingParty(second, { clientId: 'app2', name: 'App 2' });
      expect(buttons((await newBrowser().get((await client.authorizationUrl()).url)).html)).toContain('Social');
      // Disabled in the database (the admin's switch): the button goes, and its route answers 404.
      expect(await second.services.connectorStore.setConnectorEnabled('posting', false)).toBe(true);
      const page = await newBrowser().get((await client.authorizationUrl()).url);
      expect(buttons(page.html)).toEqual(['Social', 'Plain OAuth']);
    } finally {
      await second.stop();
    }
    // Under another FOYER_SECRET the sealed rows cannot be opened: they are not offered (rather than failing the page).
    const foreignStore = createConnectorStore(dbHandle.db, createSecretBox('another-secret-of-at-least-32-characters'));
    expect(await foreignStore.listConnectors()).toEqual([]);
    await server.services.connectorStore.setConnectorEnabled('posting', true);
  });
});

describe('each client chooses its connectors', () => {
  it('shows only the listed ones, refuses the others, and the CLI sets the list', async () => {
    const added = await runCommand(['clients', 'add', '--client-id', 'picky', '--redirect-uri', CALLBACK, '--connector', 'plainoauth', '--json'], { services: server.services });
    expect(added.exitCode, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ connectors: ['plainoauth'] });
    const unknown = await runCommand(['clients', 'add', '--client-id', 'bad', '--redirect-uri', CALLBACK, '--connector', 'nope'], { services: server.services });
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toContain('"nope" is not a configured connector');

    const picky = await createRelyingParty(server, { clientId: 'picky2', name: 'Picky', connectors: ['plainoauth'] });
    const browser = newBrowser();
    const first = await browser.get((await picky.authorizationUrl()).url);
    expect(buttons(first.html)).toEqual(['Plain OAuth']);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(first.html)![1]!;
    const refused = await browser.request(`${first.url}/federation/social`, { method: 'POST', body: `_csrf=${encodeURIComponent(csrf)}` });
    expect(refused.status).toBe(404);
    expect(refused.html).toContain('That sign-in option is not available.');
  });
});

describe('the generic OAuth 2.0 connector', () => {
  it('signs up through authorize, token and userinfo with its mapping, and signs the same account in again', async () => {
    const { browser, startAt } = holdingBrowser();
    const auth = await app.authorizationUrl();
    const { request, upstreamPage } = await startAt(await browser.get(auth.url), 'plainoauth');
    expect(request.searchParams.get('code_challenge_method')).toBe('S256');
    expect(request.searchParams.get('nonce')).toBeNull();
    const back = await upstreamLogin(browser, upstreamPage, 'oauthuser');
    expect(back.url).toContain('/federation/import');
    expect(back.html).toContain('<label for="import-nickname">Nickname: <strong>Olive</strong>');
    const callback = await throughPrompts(browser, await browser.submit(back, '/federation/import', { nickname: 'yes' }));
    expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 500)).toBe(true);
    const claims = (await app.exchange(callback.url, auth)).claims()!;
    const account = await server.services.accounts.findAccountByEmail('oauth@social.example');
    expect(account).toMatchObject({ id: claims.sub, emailVerified: true });
    expect(await dbHandle.db('federated_identities').where({ connector: 'plainoauth', subject: 'oauthuser', account_id: claims.sub })).toHaveLength(1);

    const again = newBrowser();
    const auth2 = await app.authorizationUrl();
    const back2 = await upstreamLogin(again, await again.submit(await again.get(auth2.url), '/federation/plainoauth', {}), 'oauthuser');
    const callback2 = await throughPrompts(again, back2);
    expect((await app.exchange(callback2.url, auth2)).claims()!.sub).toBe(claims.sub);
  });
});

describe('an answer posted cross-site (response_mode=form_post, as Apple does)', () => {
  it('is bound by its state alone: posted without any cookie, the browser that started the sign-in finishes it', async () => {
    const { browser, startAt } = holdingBrowser();
    const auth = await app.authorizationUrl();
    const { request, upstreamPage } = await startAt(await browser.get(auth.url), 'posting');
    expect(request.searchParams.get('response_mode')).toBe('form_post');
    const autoPost = await upstreamLogin(browser, upstreamPage, 'poster');
    expect(autoPost.html).toContain(`action="${server.url}/federation/callback"`);
    const fields = new URLSearchParams([...autoPost.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)].map((m) => [m[1]!, decodeEntities(m[2]!)]));
    expect(fields.get('state')).toBeTruthy();

    // The upstream's page posts from its own origin: no cookie of ours, no CSRF token.
    const posted = await fetch(`${server.url}/federation/callback`, { method: 'POST', body: fields, redirect: 'manual', headers: { origin: upstream.issuer } });
    expect(posted.status).toBe(303);
    const continueAt = new URL(posted.headers.get('location')!, server.url).href;
    expect(continueAt).toMatch(/\/federation\/continue$/);
    // Another browser holds no interaction: it cannot finish the sign-in (and does not spoil it).
    const stranger = await newBrowser().get(continueAt);
    expect(stranger.status).toBe(400);
    expect(stranger.html).toContain('This sign-in has expired or was started in another browser');
    const callback = await throughPrompts(browser, await browser.get(continueAt));
    expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 500)).toBe(true);
    expect((await app.exchange(callback.url, auth)).claims()!.sub).toBe((await server.services.accounts.findAccountByEmail('poster@social.example'))!.id);

    // The same post again (replayed) or with a state Foyer never issued: a clear 400 page.
    const replay = await fetch(`${server.url}/federation/callback`, { method: 'POST', body: fields, redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('This sign-in link is not valid or has expired');
  });
});
