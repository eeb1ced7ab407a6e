// Sharing across brands in Chromium: a customer signs up at brand A's app (the demo app) giving a first and
// last name; brand B's app then asks B's terms and which details to share (nothing ticked), never the
// password, in B's colours; B's app receives only the shared field. Then the same in Warsaw: a browser asking
// for Polish (Accept-Language only) gets every Foyer page of it in Polish, and the ledger keeps a receipt.
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { translate } from '../../../src/i18n/translate.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { demoJson, describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, signUpWithMailedCode, startDemoSignIn, watchPage } from '../../support/browser.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
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
        { key: 'given_name', label: { en: 'First name', pl: 'Imię' }, ask: 'signup', priority: 2 },
        { key: 'family_name', label: { en: 'Last name', pl: 'Nazwisko' }, ask: 'signup', priority: 1 },
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

  it('in Warsaw: brand B asks its terms and what to share in Polish, in its colours, without the password; the ledger keeps a receipt', async () => {
    const pl = (key: string, values?: Record<string, string>) => translate('pl', key, values);
    const context = await browser.newContext({ locale: 'pl-PL', timezoneId: 'Europe/Warsaw', viewport: { width: 1024, height: 768 } });
    context.setDefaultTimeout(10_000);
    const problems: string[] = [];
    context.on('page', (p) => watchPage(p, problems));
    const page = await context.newPage();
    const warsaw = 'zofia@example.com';
    const expectPolish = async (on = page) => expect(await on.locator('html').getAttribute('lang')).toBe('pl');

    // Brand A (the demo app): sign up, all in Polish because the browser asks for it.
    await startDemoSignIn(page, server.url);
    await expectPolish();
    await page.getByRole('link', { name: pl('journey.identify.create_account') }).click();
    await page.getByLabel(pl('journey.identify.email')).fill(warsaw);
    await page.getByLabel(pl('journey.common.password')).fill(password);
    await page.getByLabel(pl('journey.signup.accept_terms')).check();
    await page.getByRole('button', { name: pl('journey.identify.create_account') }).click();
    const mail = await server.smtp.waitForMail(warsaw, (m) => m.subject.startsWith(pl('mail.signup_code.subject', { brand: 'Acme', code: '' }).trim()));
    await page.getByLabel(pl('journey.common.code')).fill(codeFrom(mail));
    await page.getByRole('button', { name: pl('journey.identify.continue') }).click();
    await page.getByRole('button', { name: pl('journey.consent.allow') }).click();
    await page.getByLabel('Imię').fill('Zofia');
    await page.getByLabel('Nazwisko').fill('Nowak');
    await page.getByRole('button', { name: pl('journey.profile.save') }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    expect(await demoJson(page, 'userinfo')).toMatchObject({ given_name: 'Zofia', family_name: 'Nowak' });

    // Brand B: its terms, in Polish and B's colours, no password.
    const auth = await betaShop.authorizationUrl();
    await page.goto(auth.url);
    await page.getByRole('heading', { name: pl('journey.terms.heading') }).waitFor();
    await expectPolish();
    expect(await accentOf(page)).toBe('rgb(138, 28, 124)');
    expect(await page.getByText('Beta club rules').isVisible()).toBe(true);
    expect(await page.getByLabel(pl('journey.common.password')).count()).toBe(0);
    await page.getByLabel(pl('journey.terms.accept')).check();
    await page.getByRole('button', { name: pl('journey.identify.continue') }).click();

    // The sharing question, in Polish with the fields' Polish labels; share the first name only.
    await page.getByRole('heading', { name: pl('journey.share.heading', { brand: 'Beta' }) }).waitFor();
    await expectPolish();
    expect(await accentOf(page)).toBe('rgb(138, 28, 124)');
    expect(await page.getByText(pl('journey.share.later')).isVisible()).toBe(true);
    expect(await page.getByLabel('Imię').isChecked()).toBe(false);
    expect(await page.getByLabel('Nazwisko').isChecked()).toBe(false);
    await page.getByLabel('Imię').check();
    await page.getByRole('button', { name: pl('journey.share.continue') }).click();
    await page.getByRole('heading', { name: pl('journey.consent.heading', { client: 'Beta shop' }) }).waitFor();
    await expectPolish();
    const [callback] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(CALLBACK)),
      page.getByRole('button', { name: pl('journey.consent.allow') }).click(),
    ]);

    // B's app, through the relying party: the shared field, not the other.
    const tokens = await betaShop.exchange(callback.url(), auth);
    const claims = tokens.claims()!;
    expect(claims.family_name).toBeUndefined();
    const { fetchUserInfo } = await import('openid-client');
    const userinfo = await fetchUserInfo(betaShop.config, tokens.access_token, claims.sub);
    expect(userinfo.given_name).toBe('Zofia');
    expect(userinfo.family_name).toBeUndefined();

    // The ledger, on B's account pages in Polish: the sharing with a receipt that verifies, dated in Polish.
    // (A page of its own: the first is still on its way to the callback, which nothing serves.)
    const account = await context.newPage();
    await account.goto(`${server.url}/account/consents?brand=beta`);
    await account.getByRole('heading', { name: pl('portal.consents.title') }).waitFor();
    await expectPolish(account);
    const row = account.locator('tbody tr').filter({ hasText: pl('portal.consents.record_shared', { brand: '@', fields: '@' }).split('@')[0]!.trim() });
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain(pl('portal.consents.record_shared', { brand: 'Beta', fields: 'Imię' }));
    const receiptLink = row.getByRole('link', { name: pl('portal.consents.download_receipt') });
    expect(await receiptLink.evaluate((a) => getComputedStyle(a).color)).toBe('rgb(138, 28, 124)');
    const polishMonths = Array.from({ length: 12 }, (_, m) => new Intl.DateTimeFormat('pl', { month: 'short', timeZone: 'UTC' }).format(Date.UTC(2026, m, 15)));
    const englishMonths = Array.from({ length: 12 }, (_, m) => new Intl.DateTimeFormat('en', { month: 'short', timeZone: 'UTC' }).format(Date.UTC(2026, m, 15)));
    const expectPolishDate = (text: string) => {
      expect(polishMonths.some((month) => text.includes(month)), text).toBe(true);
      expect(englishMonths.some((month) => text.includes(month)), text).toBe(false);
    };
    expectPolishDate(await row.locator('td').first().innerText());
    const [download] = await Promise.all([account.waitForEvent('download'), receiptLink.click()]);
    const keys = (await (await fetch(`${server.url}/consent/receipts/jwks.json`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(await readFile((await download.path())!, 'utf8'), createLocalJWKSet(keys), { subject: claims.sub });
    expect(payload).toMatchObject({ subjectRef: 'beta', action: 'grant' });
    await account.goto(`${server.url}/account/sharing?brand=beta`);
    await expectPolish(account);
    const share = account.locator('li[data-brand="beta"]');
    expect(await share.locator('li[data-field]').allInnerTexts()).toEqual([expect.stringContaining('Imię')]);
    const since = await share.locator('p.help').first().innerText();
    expect(since.startsWith(pl('portal.sharing.since', { date: '' }).trim()), since).toBe(true);
    expectPolishDate(since);
    expectNoProblems(problems.filter((p) => !p.includes('127.0.0.1:9')));
    await context.close();
  });
});
