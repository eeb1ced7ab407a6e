// Social sign-up in Chromium: the demo app on Foyer (localhost) sends the customer to a second, real
// oidc-provider on 127.0.0.1 (its own keys and login page); back at Foyer the import page lets them untick
// a field; the demo app's userinfo shows what was copied. A second sign-in in a fresh browser goes straight through.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoJson, describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, startDemoSignIn, expectAccessible } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startUpstream, UPSTREAM_CLIENT, type Upstream } from '../../integration/federation/upstream.ts';

describeWithBrowser('social sign-up in Chromium', () => {
  let server: TestServer;
  let upstream: Upstream;
  let browser: Browser;

  beforeAll(async () => {
    upstream = await startUpstream({
      ada: { email: 'ada@social.example', email_verified: true, given_name: 'Ada', family_name: 'Lovelace', birthdate: '1815-12-10', locale: 'en-GB' },
      grace: { email: 'grace@social.example', email_verified: true },
    });
    [server, browser] = await Promise.all([
      startTestServer({ outboundAllowPrivate: true, demo: true, connectors: [
        { id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email', 'profile'], enabled: true },
        // Answers like Apple: a form the upstream's page posts cross-site to Foyer's callback.
        { id: 'posting', kind: 'oidc', name: 'Posting', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email'], enabled: true, responseMode: 'form_post' },
      ] }),
      launchBrowser(),
    ]);
    expect(new URL(server.url).hostname).toBe('localhost');
    expect(new URL(upstream.issuer).hostname).toBe('127.0.0.1');
    upstream.register(`${server.url}/federation/callback`);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await upstream?.close();
  });


  /** oidc-provider's dev login page (the upstream's, not Foyer's) links a web font on the internet: answer it empty, offline. */
  const offlineFonts = (context: BrowserContext) => context.route('https://fonts.googleapis.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));

  /** On the upstream's own (oidc-provider dev) login and consent pages. */
  async function signInUpstream(page: Page, login = 'ada') {
    await expectToReach(page, (url) => url.origin === upstream.issuer, 'the upstream login page');
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    const consent = page.getByRole('button', { name: 'Continue' });
    await consent.waitFor();
    if (new URL(page.url()).origin === upstream.issuer) await consent.click();
    await expectToReach(page, (url) => url.origin === server.url, 'Foyer again');
  }

  it('signs up through the upstream, imports only the ticked fields with their provenance, and signs in again straight through', async () => {
    const { page, problems, context } = await newContext(browser);
    await offlineFonts(context);
    await startDemoSignIn(page, server.url);
    await page.getByRole('button', { name: 'Continue with Social' }).click();
    await signInUpstream(page);

    await page.getByRole('heading', { name: 'Copy your details from Social?' }).waitFor();
    await expectAccessible(page);
    const birthdate = page.getByLabel(/Date of birth/);
    expect(await birthdate.isChecked()).toBe(true);
    expect(await page.getByLabel(/First name/).isChecked()).toBe(true);
    await birthdate.uncheck();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: /terms/i }).waitFor();
    await page.getByLabel('I accept these terms').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    const userinfo = await demoJson(page, 'userinfo');
    expect(userinfo).toMatchObject({ email: 'ada@social.example', email_verified: true, given_name: 'Ada', family_name: 'Lovelace', locale: 'en-GB' });
    expect(userinfo.birthdate).toBeUndefined();
    const rows = await server.dbHandle.db('profile_values').where({ account_id: userinfo.sub as string }).orderBy('field') as { field: string; source: string; updated_at: Date }[];
    expect(rows.map((r) => [r.field, r.source])).toEqual([['family_name', 'social:social'], ['given_name', 'social:social'], ['locale', 'social:social']]);
    expectNoProblems(problems);
    await context.close();

    // A fresh browser (no session at Foyer or upstream): through the upstream again, no import page, no consent page.
    const second = await newContext(browser);
    await offlineFonts(second.context);
    // Pages Foyer showed in its journey (redirects pass through without a page).
    const shown: string[] = [];
    second.page.on('response', (response) => {
      if (response.request().resourceType() === 'document' && response.url().startsWith(`${server.url}/interaction/`) && response.status() === 200) shown.push(new URL(response.url()).pathname);
    });
    await startDemoSignIn(second.page, server.url);
    await second.page.getByRole('button', { name: 'Continue with Social' }).click();
    await signInUpstream(second.page);
    await expectToReach(second.page, (url) => url.pathname === '/demo', 'the demo app signed in again');
    expect((await demoJson(second.page, 'userinfo')).sub).toBe(userinfo.sub);
    // Only the sign-in page with its button: no import page, no consent page, no terms.
    expect(shown, shown.join(", ")).toHaveLength(1);
    expect(shown[0]).toMatch(/^\/interaction\/[\w-]+$/);
    expectNoProblems(second.problems);
    await second.context.close();
  });

  it('finishes a sign-in whose answer the upstream posts cross-site (form_post), bound by its state', async () => {
    const { page, problems, context } = await newContext(browser);
    await offlineFonts(context);
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${server.url}/federation/callback`) posts.push(request.headers().origin ?? '');
    });
    await startDemoSignIn(page, server.url);
    await page.getByRole('button', { name: 'Continue with Posting' }).click();
    await signInUpstream(page, 'grace');
    expect(posts).toEqual([upstream.issuer]);
    await page.getByRole('heading', { name: /terms/i }).waitFor();
    await page.getByLabel('I accept these terms').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    expect(await demoJson(page, 'userinfo')).toMatchObject({ email: 'grace@social.example' });
    expectNoProblems(problems);
    await context.close();
  });
});
