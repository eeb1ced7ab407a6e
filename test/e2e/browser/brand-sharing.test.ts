// Sharing across brands in Chromium: a customer signs up at brand A's app (the demo app) giving a first and
// last name; brand B's app then asks B's terms and which details to share (nothing ticked), never the
// password, in B's colours; B's app receives only the shared field.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { demoJson, describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, signUpWithMailedCode, startDemoSignIn } from '../../support/browser.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('sharing with a second brand in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let betaShop: RelyingParty;
  const email = 'mae@example.com';
  const password = 'a comet over the quiet bay';
  const version = [{ version: '1', material: true }];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({
      demo: true,
      profile: { fields: [
        { key: 'given_name', label: { en: 'First name' }, ask: 'signup', priority: 2 },
        { key: 'family_name', label: { en: 'Last name' }, ask: 'signup', priority: 1 },
      ] },
      consent: { documents: [
        { id: 'terms', title: 'Terms of service', required: true, versions: version },
        { id: 'beta-terms', title: 'Beta club rules', required: false, versions: version },
      ] },
    } as never), launchBrowser()]);
    const { call } = await createAdminApi(server);
    const colours = (accent: string) => ({ accent, text: '#111111', background: '#ffffff' });
    expect((await call('/brands/acme', { method: 'PUT', body: { name: 'Acme', colours: colours('#0b6e4f') } })).status).toBe(201);
    expect((await call('/brands/beta', { method: 'PUT', body: { name: 'Beta', colours: colours('#8a1c7c'), documents: ['beta-terms'] } })).status).toBe(201);
    expect((await call('/brands/acme/clients/demo', { method: 'PUT' })).status).toBe(200);
    betaShop = await createRelyingParty(server, { clientId: 'beta-shop', name: 'Beta shop', scope: 'openid email profile' });
    expect((await call('/brands/beta/clients/beta-shop', { method: 'PUT' })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const accentOf = (page: Page) => page.evaluate(() => getComputedStyle(document.querySelector('main button[type="submit"]')!).backgroundColor);

  it('asks brand B its terms and what to share, not the password; B gets only the shared field', async () => {
    const { page, problems } = await newContext(browser);
    await startDemoSignIn(page, server.url);
    expect(await accentOf(page)).toBe('rgb(11, 110, 79)');
    await signUpWithMailedCode(page, server.smtp, email, password);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByLabel('First name').fill('Mae');
    await page.getByLabel('Last name').fill('Jemison');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    expect(await demoJson(page, 'userinfo')).toMatchObject({ given_name: 'Mae', family_name: 'Jemison' });

    const auth = await betaShop.authorizationUrl();
    await page.goto(auth.url);
    await page.getByRole('heading', { name: 'Please accept our terms' }).waitFor();
    expect(await page.getByText('Beta club rules').isVisible()).toBe(true);
    expect(await page.getByLabel('Password').count()).toBe(0);
    await page.getByLabel('I accept these terms').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Share your details with Beta?' }).waitFor();
    expect(await accentOf(page)).toBe('rgb(138, 28, 124)');
    expect(await page.getByLabel('First name').isChecked()).toBe(false);
    expect(await page.getByLabel('Last name').isChecked()).toBe(false);
    await page.getByLabel('First name').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    const [callback] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(CALLBACK)),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);
    const tokens = await betaShop.exchange(callback.url(), auth);
    const { fetchUserInfo } = await import('openid-client');
    const userinfo = await fetchUserInfo(betaShop.config, tokens.access_token, tokens.claims()!.sub);
    expect(userinfo.given_name).toBe('Mae');
    expect(userinfo.family_name).toBeUndefined();
    expectNoProblems(problems.filter((p) => !p.includes('127.0.0.1:9')));
  });
});
