// A form's CSRF token is bound to its cookie and to what the form acts on: a token from one sign-in in
// progress is refused in another one (same browser, same cookie), and a token minted on the account pages
// before sign-in (what a planted cookie would give an attacker) is refused once a session is signed in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntities, FormBrowser, type Page } from '../../support/form-browser.ts';
import { newBrowser } from '../../support/journey.ts';
import { createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const password = 'a long and unusual passphrase';
let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'shop' });
});
afterAll(async () => server?.stop());

const csrfOf = (page: Page) => decodeEntities(/name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
const post = (browser: FormBrowser, url: string, fields: Record<string, string>) => browser.request(url, { method: 'POST', body: new URLSearchParams(fields).toString() });

describe('a CSRF token', () => {
  it('of one sign-in in progress is refused by another, in the same browser', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl()).url);
    const second = await browser.get((await app.authorizationUrl()).url);
    expect(first.url).not.toBe(second.url);
    const replayed = await post(browser, `${second.url}/identify`, { _csrf: csrfOf(first), email: 'ada@example.com' });
    expect(replayed.status).toBe(403);
    const own = await post(browser, `${second.url}/identify`, { _csrf: csrfOf(second), email: 'ada@example.com' });
    expect(own.status).toBe(200);
    expect(own.html).toContain('name="password"');
  });

  it('minted on the account pages before sign-in is refused by the signed-in session', async () => {
    await createPasswordAccount(server, 'bob@example.com', password);
    const browser = new FormBrowser();
    const before = await browser.get(`${server.url}/account`);
    const early = csrfOf(before);
    const page = await signInToAccount(server, browser, 'bob@example.com', password, '/account/sessions');
    const refused = await post(browser, `${server.url}/account/sessions/others/end`, { _csrf: early });
    expect(refused.status).toBe(403);
    const accepted = await post(browser, `${server.url}/account/sessions/others/end`, { _csrf: csrfOf(page) });
    expect(accepted.status).toBe(200);
  });
});
