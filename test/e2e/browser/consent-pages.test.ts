// The consent pages in Chromium: /account/consents (give consent, download a receipt that verifies),
// /account/preferences (an email subscription confirmed through the mailed link), and /privacy; each fits
// a phone screen without horizontal scrolling, with no CSP or script problems.
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, signInWithPassword } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('the consent pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a passphrase nobody would guess';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function account(email: string): Promise<string> {
    return (await server.services.accounts.insertAccount({ email, status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true })).id;
  }

  async function signIn(page: Page, path: string, email: string): Promise<void> {
    await page.goto(`${server.url}${path}`);
    await signInWithPassword(page, email, password);
    await page.getByLabel('I accept these terms').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expectToReach(page, (url) => url.pathname === path, path);
  }

  const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('gives consent, downloads a receipt that verifies, and confirms an email subscription by the mailed link', async () => {
    const id = await account('consent-e2e@example.com');
    const { context, page, problems } = await newContext(browser);
    await signIn(page, '/account/consents', 'consent-e2e@example.com');
    await page.getByRole('heading', { name: 'Privacy and consent' }).waitFor();
    await page.getByRole('button', { name: 'Consent to Marketing' }).click();
    await page.getByText('your consent is recorded').waitFor();
    expect((await server.services.purposes.isProcessingAllowed(id, 'marketing')).allowed).toBe(true);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download receipt' }).first().click()]);
    const jws = await readFile((await download.path())!, 'utf8');
    const keys = (await (await fetch(`${server.url}/consent/receipts/jwks.json`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(jws, createLocalJWKSet(keys), { subject: id });
    expect(payload).toMatchObject({ subjectRef: 'marketing', action: 'grant', legalBasis: 'consent' });

    await page.getByRole('navigation', { name: 'Your account' }).getByRole('link', { name: 'Communication' }).click();
    await page.getByRole('button', { name: 'Subscribe to News and offers by email' }).click();
    await page.getByText('we mailed you a link').waitFor();
    const mail = await server.smtp.waitForMail('consent-e2e@example.com', (m) => m.subject.includes('confirm'));
    await page.goto(/(http:\/\/\S+\/preferences\/confirm\/[\w-]+)/.exec(mail.text)![1]!);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
    expect(await server.services.preferences.isContactAllowed(id, 'news', 'email')).toBe(true);
    expectNoProblems(problems);
    await context.close();
  });

  it('fits a phone screen: consents, preferences and /privacy without horizontal scrolling', async () => {
    await account('consent-phone@example.com');
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await signIn(page, '/account/consents', 'consent-phone@example.com');
    for (const path of ['/account/consents', '/account/preferences', '/privacy']) {
      await page.goto(`${server.url}${path}`);
      expect(await noHorizontalScroll(page), path).toBe(true);
    }
    await context.close();
  });
});
