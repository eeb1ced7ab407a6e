// A newcomer in Chromium: the demo app's "Sign in", sign-up with the code mailed over real SMTP,
// consent, the claims the demo app received, then RP-initiated sign-out back to the demo app.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoJson, describeWithBrowser, expectNoProblems, launchBrowser, newContext, pathOf, startDemoSignIn } from '../../support/browser.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('the demo app in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const email = 'grace@example.com';
  const password = 'a lantern under the quiet harbour';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ demo: true }), launchBrowser()]);
    ({ context, page, problems } = await newContext(browser));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs a newcomer up with an emailed code, asks consent, and shows what the app received', async () => {
    await startDemoSignIn(page, server.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('Email').getAttribute('type')).toBe('email');
    const createAccount = page.getByRole('link', { name: 'Create account' });
    expect(await createAccount.isVisible()).toBe(true);

    await createAccount.click();
    await page.waitForURL(/\/signup$/);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('I accept the terms of service and the privacy policy').check();
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await page.getByText(email).isVisible()).toBe(true);
    const mail = await server.smtp.waitForMail(email, (m) => m.subject.includes('code'));
    await page.getByLabel('Code').fill(codeFrom(mail));
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Demo app wants to access your account' }).waitFor();
    const receives = page.getByRole('group', { name: 'Demo app will receive' });
    expect(await receives.getByLabel('Your email address').isChecked()).toBe(true);
    expect(await receives.getByLabel('Your name and basic profile').isChecked()).toBe(true);
    expect(await receives.getByLabel(/Know who you are when you sign in/).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.waitForURL((url) => url.pathname.startsWith('/demo'));
    expect(pathOf(page)).toBe('/demo');
    await page.getByRole('heading', { name: 'ID token claims' }).waitFor();
    const claims = await demoJson(page, 'id-token-claims');
    // Scope claims come from userinfo (the contract): the ID token names the person by `sub`.
    expect(claims).toMatchObject({ iss: server.url, aud: 'demo' });
    expect(claims.sub).toMatch(/^\S{8,}$/);
    const userinfo = await demoJson(page, 'userinfo');
    expect(userinfo).toMatchObject({ sub: claims.sub, email, email_verified: true });
    expectNoProblems(problems);
  });

  it('signs out through the confirmation page and is back on the demo app, signed out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign out' }).waitFor();
    expect(await page.getByText(/sign out of Demo app/).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();

    await page.waitForURL((url) => url.pathname === '/demo');
    expect(await page.getByRole('button', { name: 'Sign in', exact: true }).isVisible()).toBe(true);
    expect(await page.locator('pre#id-token-claims').count()).toBe(0);
    // The session at Foyer ended too: signing in again starts from the email page.
    await startDemoSignIn(page, server.url);
    expect(await page.getByLabel('Email').isVisible()).toBe(true);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('_session');
    expectNoProblems(problems);
  });
});
