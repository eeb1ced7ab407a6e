// On an issuer with an IP address (http://127.0.0.1:…) Foyer runs, with passkeys off: browsers refuse an
// IP address as relying party ID, so the pages offer no passkey and its endpoints say so.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newBrowser } from '../../support/journey.ts';
import { createRelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ issuer: 'http://127.0.0.1:0' });
});
afterAll(async () => server?.stop());

it('signs in without offering passkeys', async () => {
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const app = await createRelyingParty(server, { clientId: 'ip-app' });
  const browser = newBrowser();
  const first = await browser.get((await app.authorizationUrl()).url);
  expect(first.html).toContain('name="email"');
  expect(first.html).not.toContain('Sign in with a passkey');
  expect(first.html).not.toContain('passkey.js');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(first.html)![1]!;
  const options = await browser.request(`${first.url}/passkey/authenticate/options`, { method: 'POST', body: `_csrf=${csrf}` });
  expect(options.status).toBe(404);
  expect(options.html).toContain('Passkeys are not available');
});
