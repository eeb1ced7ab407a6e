// Email addresses are one address whatever the Unicode form they are typed in: "é" composed (U+00E9) and
// decomposed (e + U+0301) sign up, sign in and count towards the throttle as the same address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';
const COMPOSED = 'zo\u00e9.nfc@example.com';
const DECOMPOSED = 'zoe\u0301.nfc@example.com';

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'app', name: 'App' });
});
afterAll(async () => server?.stop());

describe('an address typed composed or decomposed', () => {
  it('signs up with one form and signs in with the other, as the same account', async () => {
    expect(COMPOSED).not.toBe(DECOMPOSED);
    const browser = newBrowser();
    const auth = await app.authorizationUrl();
    const signedUp = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), COMPOSED, password));
    expect(signedUp.url.startsWith(CALLBACK), signedUp.html.slice(0, 300)).toBe(true);
    const sub = (await app.exchange(signedUp.url, auth)).claims()!.sub;

    const other = newBrowser();
    const again = await app.authorizationUrl();
    const signedIn = await consentIfAsked(other, await enterEmailAndPassword(other, await other.get(again.url), DECOMPOSED, password));
    expect(signedIn.url.startsWith(CALLBACK), signedIn.html.slice(0, 300)).toBe(true);
    expect((await app.exchange(signedIn.url, again)).claims()!.sub).toBe(sub);
    expect(await server.dbHandle.db('account_emails').where({ account_id: sub }).pluck('email')).toEqual([COMPOSED]);
  });

  it('counts wrong passwords typed with either form against one address', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    for (let i = 0; i < 5; i++) {
      const page = await enterEmailAndPassword(browser, first, i % 2 ? COMPOSED : DECOMPOSED, `wrong guess number ${i}`);
      expect(page.html).toContain('Incorrect email or password.');
    }
    for (const email of [COMPOSED, DECOMPOSED]) {
      const locked = await enterEmailAndPassword(browser, first, email, password);
      expect(locked.status).toBe(429);
      expect(locked.html).toContain('Too many attempts');
    }
  });
});
