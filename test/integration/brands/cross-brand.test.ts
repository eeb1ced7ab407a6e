// Signing in across brands: a customer signed in at an app of brand A keeps the session at an app of brand B
// (no password page), but the first visit to B shows B's own terms, in B's look; A's apps never ask for B's
// terms. (The question of which profile fields B may see is not built yet: docs/operators/brands.md.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { newBrowser, signUp, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
const apps: Record<string, RelyingParty> = {};
const version = [{ version: '1', material: true }];

beforeAll(async () => {
  server = await startTestServer({
    consent: { documents: [
      { id: 'terms', title: 'Terms of service', required: true, versions: version },
      { id: 'acme-terms', title: 'Acme customer terms', required: false, versions: version },
      { id: 'beta-terms', title: 'Beta club rules', required: false, versions: version },
    ] },
  } as never);
  const { call } = await createAdminApi(server);
  const colours = (accent: string) => ({ accent, text: '#111111', background: '#ffffff' });
  expect((await call('/brands/acme', { method: 'PUT', body: { name: 'Acme', colours: colours('#0b6e4f'), documents: ['acme-terms'] } })).status).toBe(201);
  expect((await call('/brands/beta', { method: 'PUT', body: { name: 'Beta', colours: colours('#8a1c7c'), documents: ['beta-terms'] } })).status).toBe(201);
  for (const [brand, ids] of [['acme', ['acme-shop', 'acme-club']], ['beta', ['beta-shop', 'beta-club']]] as const) {
    for (const id of ids) {
      apps[id] = await createRelyingParty(server, { clientId: id, name: id });
      expect((await call(`/brands/${brand}/clients/${id}`, { method: 'PUT' })).status).toBe(200);
    }
  }
});
afterAll(async () => server?.stop());

describe('single sign-on across brands', () => {
  it('reuses the session at brand B, asking B\'s terms once and never the password', async () => {
    const browser = newBrowser();
    const start = await browser.get((await apps['acme-shop']!.authorizationUrl()).url);
    const afterSignUp = await signUp(server, browser, start, 'traveller@example.com', 'a lantern on the quay');
    expect(afterSignUp.html).toContain('Acme customer terms');
    expect(afterSignUp.html).not.toContain('Beta club rules');
    expect((await throughPrompts(browser, afterSignUp)).url.startsWith(CALLBACK)).toBe(true);

    // The second app of brand A: nothing to ask.
    const sameBrand = await throughPrompts(browser, await browser.get((await apps['acme-club']!.authorizationUrl()).url));
    expect(sameBrand.url.startsWith(CALLBACK)).toBe(true);

    const atBeta = await browser.get((await apps['beta-shop']!.authorizationUrl()).url);
    expect(atBeta.html).not.toContain('name="password"');
    expect(atBeta.html).toContain('Beta club rules');
    expect(atBeta.html).not.toContain('Acme customer terms');
    expect(atBeta.html).toMatch(/href="\/brands\/beta\/theme\.css/);
    expect((await throughPrompts(browser, atBeta)).url.startsWith(CALLBACK)).toBe(true);

    // Brand B's terms are accepted now: its second app asks nothing more.
    const betaClub = await throughPrompts(browser, await browser.get((await apps['beta-club']!.authorizationUrl()).url));
    expect(betaClub.url.startsWith(CALLBACK)).toBe(true);
  });
});
