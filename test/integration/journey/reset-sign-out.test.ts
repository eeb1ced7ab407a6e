// A password reset signs the account out everywhere: every session ends (this browser's old one too), every
// refresh token stops working, and the apps of those sessions get a back-channel logout; the journey goes
// on signed in, in a new session only.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../../support/logout-receiver.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let receiver: LogoutReceiver;
let app: RelyingParty;
const EMAIL = 'reset.everywhere@example.com';
const PASSWORD = 'a long and unusual passphrase';
const NEW_PASSWORD = 'a brand new passphrase for sure';

beforeAll(async () => {
  receiver = await startLogoutReceiver();
  server = await startTestServer({ outboundAllowPrivate: true });
  app = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email profile offline_access', backchannelLogoutUri: receiver.url });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

// Offline access: refresh tokens that outlive the session they came from, until their grant is revoked.
const OFFLINE = { scope: 'openid email offline_access', prompt: 'consent' };
const sessionUids = async (accountId: string) => (await server.dbHandle.db('oidc_models').where({ model: 'Session', account_id: accountId }).pluck('uid')) as string[];

describe('a password reset', () => {
  it('revokes every refresh token, tells the apps of every session, and goes on in a new session only', async () => {
    // This browser signs up (session one); another device signs in (session two).
    const browser = newBrowser();
    const first = await app.authorizationUrl(OFFLINE);
    const signedUp = await consentIfAsked(browser, await signUp(server, browser, await browser.get(first.url), EMAIL, PASSWORD));
    expect(signedUp.url.startsWith(CALLBACK)).toBe(true);
    const before = await app.exchange(signedUp.url, first);
    const accountId = before.claims()!.sub;
    const device = newBrowser();
    const second = await app.authorizationUrl(OFFLINE);
    const signedIn = await consentIfAsked(device, await enterEmailAndPassword(device, await device.get(second.url), EMAIL, PASSWORD));
    const onDevice = await app.exchange(signedIn.url, second);
    expect(before.refresh_token && onDevice.refresh_token).toBeTruthy();
    const oldSessions = await sessionUids(accountId);
    expect(oldSessions).toHaveLength(2);
    expect(receiver.tokens).toHaveLength(0);

    // The first browser, still signed in, is asked to sign in again and resets the password.
    const third = await app.authorizationUrl({ ...OFFLINE, prompt: 'login consent' });
    const start = await browser.get(third.url);
    expect(start.html).toContain('name="email"');
    const sent = await browser.submit(await browser.get(`${start.url}/forgot`), '/forgot', { email: EMAIL });
    const mail = await server.smtp.waitForMail(EMAIL, (m) => m.subject.includes('reset'));
    const done = await consentIfAsked(browser, await browser.submit(sent, '/reset', { code: codeFrom(mail), new_password: NEW_PASSWORD }));
    expect(done.url.startsWith(CALLBACK), done.html.slice(0, 400)).toBe(true);
    const after = await app.exchange(done.url, third);
    expect(after.claims()!.sub).toBe(accountId);

    // Both old refresh tokens are dead; the new one works.
    for (const old of [before, onDevice]) {
      await expect(oidc.refreshTokenGrant(app.config, old.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    }
    expect((await oidc.refreshTokenGrant(app.config, after.refresh_token!)).access_token).toBeTruthy();

    // The shop heard of both old sessions, by signed logout tokens naming the account.
    expect(receiver.tokens).toHaveLength(2);
    const jwks = jose.createRemoteJWKSet(new URL(`${server.url}/jwks`));
    const sids = new Set<unknown>();
    for (const token of receiver.tokens) {
      const { payload } = await jose.jwtVerify(token, jwks, { issuer: server.url, audience: 'shop' });
      expect(payload.sub).toBe(accountId);
      expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
      sids.add(payload.sid);
    }
    expect(sids.size).toBe(2);

    // One session is left, a new one: the other device is asked who it is again.
    const now = await sessionUids(accountId);
    expect(now).toHaveLength(1);
    expect(oldSessions).not.toContain(now[0]);
    expect((await device.get((await app.authorizationUrl()).url)).html).toContain('name="email"');
  });
});
