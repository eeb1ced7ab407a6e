// Back-channel logout reaches a loopback app only with OUTBOUND_ALLOW_PRIVATE; without SMTP_URL, mail
// goes to the dev outbox, shown only on a loopback issuer outside production.
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, newBrowser, signUp } from '../../support/journey.ts';
import { startLogoutReceiver, type LogoutReceiver } from '../../support/logout-receiver.ts';
import { CALLBACK, createRelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

async function signInAndLogOut(server: TestServer, receiver: LogoutReceiver, email: string) {
  const rp = await createRelyingParty(server, { clientId: `bc-${email.split('@')[0]}`, backchannelLogoutUri: receiver.url });
  const browser = newBrowser();
  const auth = await rp.authorizationUrl();
  const callback = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), email, 'a long and unusual passphrase'));
  expect(callback.url.startsWith(CALLBACK)).toBe(true);
  const tokens = await rp.exchange(callback.url, auth);
  const confirm = await browser.get(oidc.buildEndSessionUrl(rp.config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://127.0.0.1:9/bye' }).href);
  await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
  return tokens.claims()!.sub;
}

describe('back-channel logout', () => {
  let receiver: LogoutReceiver;
  beforeAll(async () => {
    receiver = await startLogoutReceiver();
  });
  afterAll(async () => receiver?.close());

  it('sends a signed logout token to a loopback app when OUTBOUND_ALLOW_PRIVATE is on', async () => {
    const server = await startTestServer({ outboundAllowPrivate: true });
    try {
      const sub = await signInAndLogOut(server, receiver, 'bc-on@example.com');
      await expect.poll(() => receiver.tokens.length, { timeout: 5000 }).toBeGreaterThan(0);
      const { payload } = await jose.jwtVerify(receiver.tokens[0]!, jose.createRemoteJWKSet(new URL(`${server.url}/jwks`)), { issuer: server.url });
      expect(payload.sub).toBe(sub);
      expect(payload.events).toHaveProperty(['http://schemas.openid.net/event/backchannel-logout']);
    } finally {
      await server.stop();
    }
  });

  it('does not call loopback addresses by default', async () => {
    receiver.tokens.length = 0;
    const server = await startTestServer();
    try {
      await signInAndLogOut(server, receiver, 'bc-off@example.com');
      await new Promise((r) => setTimeout(r, 500));
      expect(receiver.tokens).toHaveLength(0);
    } finally {
      await server.stop();
    }
  });
});

describe('mail without SMTP_URL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ smtpUrl: undefined });
  });
  afterAll(async () => server?.stop());

  it('is kept in the dev outbox on a loopback issuer, with the code as it is', async () => {
    const browser = newBrowser();
    const rp = await createRelyingParty(server, { clientId: 'outbox-app' });
    const first = await browser.get((await rp.authorizationUrl()).url);
    await browser.submit(await browser.get(`${first.url}/signup`), '/signup', { email: 'outbox@example.com', password: 'a long and unusual passphrase', terms: 'yes' });
    const page = await fetch(`${server.url}/dev/outbox`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('outbox@example.com');
    expect(html).toMatch(/\b\d{6}\b/);
    expect(server.smtp.mails).toHaveLength(0);
  });

  it('has no outbox page in production or on a public issuer', async () => {
    const production = await startTestServer({ smtpUrl: undefined, nodeEnv: 'production', demo: false });
    try {
      expect((await fetch(`${production.url}/dev/outbox`)).status).toBe(404);
    } finally {
      await production.stop();
    }
  });
});
