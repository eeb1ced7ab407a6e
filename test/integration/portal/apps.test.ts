// The connected apps section: what each app receives, and "Remove access" — its refresh and access tokens
// stop (real introspection), a real back-channel logout receiver on loopback gets a signed logout token,
// the ledger gets a withdraw record, the next sign-in asks for consent again, and an event is emitted.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../../support/logout-receiver.ts';
import { accessTokenFor, callAccountApi, createPasswordAccount, postForm, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let shop: RelyingParty;
let settings: RelyingParty;
let receiver: LogoutReceiver;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  server = await startTestServer({ outboundAllowPrivate: true });
  shop = await createRelyingParty(server, { clientId: 'shop', name: 'Example Shop', scope: 'openid email profile offline_access', backchannelLogoutUri: receiver.url });
  settings = await createRelyingParty(server, { clientId: 'settings-app', scope: 'openid email account' });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

/** Signs in to the shop (consenting) and returns its tokens and the browser, which keeps the SSO session. */
async function signInToShop(email: string, browser: FormBrowser = newBrowser()) {
  const auth = await shop.authorizationUrl({ scope: 'openid email offline_access', prompt: 'consent' });
  const start = await browser.get(auth.url);
  const page = start.html.includes('name="email"') ? await enterEmailAndPassword(browser, start, email, password) : start;
  const tokens = await shop.exchange((await throughPrompts(browser, page)).url, auth);
  return { tokens, browser };
}

describe('connected apps', () => {
  it('lists the app with what it receives; Remove access stops its tokens, logs it out on the back channel, and withdraws the consent', async () => {
    const accountId = await createPasswordAccount(server, 'apps1@example.com', password);
    const { tokens, browser } = await signInToShop('apps1@example.com');
    expect(tokens.refresh_token).toBeTruthy();
    expect((await oidc.tokenIntrospection(shop.config, tokens.access_token)).active).toBe(true);

    // The same browser opens its account: SSO, no password asked.
    const page = await browser.get(`${server.url}/account/apps`);
    expect(page.url).toBe(`${server.url}/account/apps`);
    expect(page.html).toContain('Example Shop');
    expect(page.html).toContain('Your email address');
    expect(page.html).toContain('email, email_verified');
    expect(page.html).not.toContain('foyer-account');

    const removed = await browser.submit(page, '/account/apps/shop/remove', {});
    expect(removed.html).toContain('Access removed');
    expect(removed.html).not.toContain('Example Shop');

    expect((await oidc.tokenIntrospection(shop.config, tokens.access_token)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(shop.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    await expect.poll(() => receiver.tokens.length, { timeout: 5000 }).toBeGreaterThan(0);
    const { payload } = await jose.jwtVerify(receiver.tokens.at(-1)!, jose.createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: 'shop' });
    expect(payload.sub).toBe(accountId);
    expect(payload.sid).toBe(tokens.claims()!.sid);
    expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);

    const records = await server.services.db('consent_records').where({ account_id: accountId, subject_kind: 'client_scopes', subject_ref: 'shop' }).orderBy('created_at');
    expect(records.map((r: { action: string }) => r.action)).toEqual(['grant', 'withdraw']);
    expect(records[1].channel).toBe('account');
    expect(await server.services.db('client_consents').where({ account_id: accountId, client_id: 'shop' })).toHaveLength(0);
    const events = await server.services.events.listEventsOfAccount(accountId);
    expect(events).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'consent.withdrawn', clientId: 'shop' })]));

    // The next sign-in to the shop, in the same browser, asks for consent again (the session is still there).
    const again = await browser.get((await shop.authorizationUrl({ scope: 'openid email' })).url);
    expect(again.html).toContain('/consent"');
    expect(again.html).toContain('Example Shop');
  });

  it('the API lists apps and removes one; an unknown app or another account’s app is 404', async () => {
    const ownerId = await createPasswordAccount(server, 'apps2@example.com', password);
    const { tokens } = await signInToShop('apps2@example.com');
    await createPasswordAccount(server, 'apps3@example.com', password);
    const other = await accessTokenFor(settings, 'apps3@example.com', password, 'openid account');
    // apps3 never used the shop: removing "its" shop access is not found, and the owner's access stays.
    expect((await callAccountApi(server, '/apps/shop', other.accessToken, { method: 'DELETE' })).status).toBe(404);
    expect((await oidc.tokenIntrospection(shop.config, tokens.access_token)).active).toBe(true);

    const mine = await accessTokenFor(settings, 'apps2@example.com', password, 'openid account');
    const listed = await callAccountApi(server, '/apps', mine.accessToken);
    const apps = listed.json.apps as { client_id: string; scopes: { scope: string; claims: string[] }[] }[];
    expect(apps.map((a) => a.client_id).sort()).toEqual(['settings-app', 'shop']);
    expect(apps.find((a) => a.client_id === 'shop')!.scopes).toEqual(expect.arrayContaining([expect.objectContaining({ scope: 'email', claims: ['email', 'email_verified'] })]));
    expect((await callAccountApi(server, '/apps/nobody', mine.accessToken, { method: 'DELETE' })).status).toBe(404);
    expect((await callAccountApi(server, '/apps/shop', mine.accessToken, { method: 'DELETE' })).status).toBe(204);
    expect((await oidc.tokenIntrospection(shop.config, tokens.access_token)).active).toBe(false);
    expect(await server.services.db('client_consents').where({ account_id: ownerId, client_id: 'shop' })).toHaveLength(0);
  });

  it('signing other sessions out sends back-channel logout to the apps of those sessions', async () => {
    await createPasswordAccount(server, 'apps5@example.com', password);
    const { tokens } = await signInToShop('apps5@example.com');
    const before = receiver.tokens.length;
    const mine = new FormBrowser();
    const page = await signInToAccount(server, mine, 'apps5@example.com', password, '/account/sessions');
    expect((await mine.submit(page, '/account/sessions/others/end', {})).html).toContain('Every other session was signed out');
    await expect.poll(() => receiver.tokens.length, { timeout: 5000 }).toBe(before + 1);
    const { payload } = await jose.jwtVerify(receiver.tokens.at(-1)!, jose.createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url, audience: 'shop' });
    expect(payload.sid).toBe(tokens.claims()!.sid);
  });

  it('refuses Remove access without the CSRF token', async () => {
    await createPasswordAccount(server, 'apps4@example.com', password);
    const { browser } = await signInToShop('apps4@example.com');
    const page = await browser.get(`${server.url}/account/apps`);
    expect((await browser.submit(page, '/account/apps/shop/remove', {}, { omitCsrf: true })).status).toBe(403);
    expect((await postForm(server, browser, page, '/account/apps/shop/remove')).url).toContain('done=removed');
  });
});
