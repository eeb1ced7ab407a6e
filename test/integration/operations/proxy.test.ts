// Behind one proxy (TRUST_PROXY=1) the client address is the X-Forwarded-For entry the proxy wrote, the
// rightmost: entries on its left are the client's own writing, so rotating them escapes no limit and forges
// no address in the consent ledger. Host, X-Forwarded-Host and X-Forwarded-Proto never change the URLs
// Foyer writes: its public origin is the issuer.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const password = 'a long and unusual passphrase';
const REAL_ADDRESS = '198.51.100.7';
const forgedLeft = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ trustProxy: 1 } as never);
  app = await createRelyingParty(server, { clientId: 'shop', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

/** A browser behind the proxy: every request carries a new forged entry, then the one the proxy appended. */
function behindProxy(): FormBrowser {
  const browser = newBrowser();
  browser.headers = () => ({ 'x-forwarded-for': `${forgedLeft()}, ${forgedLeft()}, ${REAL_ADDRESS}` });
  return browser;
}

describe('the client address behind one proxy', () => {
  it('is the entry the proxy wrote: forged entries on its left escape no limit', async () => {
    await createPasswordAccount(server, 'ada@example.com', password);
    const browser = behindProxy();
    const start = await browser.get((await app.authorizationUrl()).url);
    const passwordPage = await browser.submit(start, '/identify', { email: 'ada@example.com' });
    let page = passwordPage;
    for (let i = 0; i < server.config.throttle.emailAddressFailures; i++) {
      page = await browser.submit(page, '/password', { password: `wrong guess ${i}` });
      expect(page.status, page.html).toBe(401);
    }
    const refused = await browser.submit(page, '/password', { password });
    expect(refused.status).toBe(429);
    expect(refused.html).toContain('Too many attempts');
  });

  it('is the entry the proxy wrote for a burst too: rotating forged entries, at most the limit are checked', async () => {
    await createPasswordAccount(server, 'cy@example.com', password);
    const browser = behindProxy();
    const start = await browser.get((await app.authorizationUrl()).url);
    const passwordPage = await browser.submit(start, '/identify', { email: 'cy@example.com' });
    const before = server.services.throttle.verificationsRun('password');
    const pages = await Promise.all([...Array.from({ length: 30 }, (_, i) => browser.submit(passwordPage, '/password', { password: `wrong guess ${i}` })), browser.submit(passwordPage, '/password', { password })]);
    expect(server.services.throttle.verificationsRun('password') - before).toBeLessThanOrEqual(server.config.throttle.emailAddressFailures);
    expect(pages.at(-1)!.status).toBe(429);
  });

  it('is what the consent ledger records', async () => {
    const accountId = await createPasswordAccount(server, 'bob@example.com', password);
    const browser = behindProxy();
    const start = await browser.get((await app.authorizationUrl()).url);
    const passwordPage = await browser.submit(start, '/identify', { email: 'bob@example.com' });
    const done = await throughPrompts(browser, await browser.submit(passwordPage, '/password', { password }));
    expect(done.url).toContain('/callback');
    const records = await server.services.db('consent_records').where({ account_id: accountId }).select('ip') as { ip: string }[];
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.ip).toBe(REAL_ADDRESS);
  });
});

describe('the public origin', () => {
  it('is the issuer, whatever Host, X-Forwarded-Host and X-Forwarded-Proto say', async () => {
    const res = await fetch(`${server.url}/.well-known/openid-configuration`, {
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    const discovery = await res.json() as Record<string, unknown>;
    for (const key of ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      expect(String(discovery[key]) === server.url || String(discovery[key]).startsWith(`${server.url}/`), `${key}: ${String(discovery[key])}`).toBe(true);
    }
    // Cookies follow the issuer's scheme (http here), not a forwarded https.
    const page = await fetch(`${server.url}/account`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(page.headers.getSetCookie().join('\n')).not.toMatch(/;\s*secure/i);
  });
});
