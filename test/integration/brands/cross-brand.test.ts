// Signing in across brands: a customer signed in at an app of brand A keeps the session at an app of brand B
// (no password page), but the first visit to B shows B's own terms, in B's look; A's apps never ask for B's
// terms. (Sharing profile fields with B: sharing.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAND_DOCUMENTS, setUpTwoBrands } from '../../support/brands.ts';
import { newBrowser, signUp, throughPrompts } from '../../support/journey.ts';
import { CALLBACK } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let apps: Awaited<ReturnType<typeof setUpTwoBrands>>['apps'];

beforeAll(async () => {
  server = await startTestServer({ consent: { documents: BRAND_DOCUMENTS } } as never);
  ({ apps } = await setUpTwoBrands(server));
});
afterAll(async () => server?.stop());

describe('single sign-on across brands', () => {
  it('reuses the session at brand B, asking B\'s terms once and never the password', async () => {
    const browser = newBrowser();
    const start = await browser.get((await apps['acme-shop'].authorizationUrl()).url);
    const afterSignUp = await signUp(server, browser, start, 'traveller@example.com', 'a lantern on the quay');
    expect(afterSignUp.html).toContain('Acme customer terms');
    expect(afterSignUp.html).not.toContain('Beta club rules');
    expect((await throughPrompts(browser, afterSignUp)).url.startsWith(CALLBACK)).toBe(true);

    // The second app of brand A: nothing to ask.
    const sameBrand = await throughPrompts(browser, await browser.get((await apps['acme-club'].authorizationUrl()).url));
    expect(sameBrand.url.startsWith(CALLBACK)).toBe(true);

    const atBeta = await browser.get((await apps['beta-shop'].authorizationUrl()).url);
    expect(atBeta.html).not.toContain('name="password"');
    expect(atBeta.html).toContain('Beta club rules');
    expect(atBeta.html).not.toContain('Acme customer terms');
    expect(atBeta.html).toMatch(/href="\/brands\/beta\/theme\.css/);
    expect((await throughPrompts(browser, atBeta)).url.startsWith(CALLBACK)).toBe(true);

    // Brand B's terms are accepted now: its second app asks nothing more.
    const betaClub = await throughPrompts(browser, await browser.get((await apps['beta-club'].authorizationUrl()).url));
    expect(betaClub.url.startsWith(CALLBACK)).toBe(true);
  });
});
