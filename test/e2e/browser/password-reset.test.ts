// Password reset in Chromium: "Forgot password?", the code mailed over real SMTP, a new password, and
// the customer lands signed in at the app; the old password stops working, and another browser signed
// in to the same account loses its session.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { demoJson, describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, pathOf, signInWithPassword, startDemoSignIn } from '../../support/browser.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('password reset in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const email = 'linus@example.com';
  const oldPassword = 'the first password, long enough';
  const newPassword = 'a brand new password after the reset';
  let accountId: string;
  // "other" signs in before the reset; "resetter" forgets the password and resets it.
  let other: { context: BrowserContext; page: Page; problems: string[] };
  let resetter: { context: BrowserContext; page: Page; problems: string[] };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ demo: true }), launchBrowser()]);
    const added = await runCommand(['users', 'add', '--email', email, '--password', oldPassword, '--verified', '--json'], { services: server.services });
    expect(added.exitCode, added.stderr).toBe(0);
    accountId = (JSON.parse(added.stdout) as { id: string }).id;
    other = await newContext(browser);
    resetter = await newContext(browser);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const expectSignedInAtDemo = async (page: Page) => {
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    await page.getByRole('heading', { name: 'Userinfo' }).waitFor();
    expect(await demoJson(page, 'userinfo')).toMatchObject({ sub: accountId, email });
  };

  it('a second browser signs in with the old password (accepting the terms and consenting once)', async () => {
    const { page, problems } = other;
    await startDemoSignIn(page, server.url);
    await signInWithPassword(page, email, oldPassword);
    // The account was made with the CLI, so the current terms were never accepted.
    await page.getByRole('heading', { name: 'Please accept our terms' }).waitFor();
    await page.getByLabel('I accept these terms').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Demo app wants to access your account' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expectSignedInAtDemo(page);
    // Its session holds: signing in to the demo app again goes straight through (the control for below).
    for (const name of ['foyer.demo', 'foyer.demo.sig']) await page.context().clearCookies({ name });
    await page.goto(`${server.url}/demo`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectSignedInAtDemo(page);
    expectNoProblems(problems);
  });

  it('"Forgot password?" mails a code; the code and a new password sign the customer in', async () => {
    const { page, problems } = resetter;
    await startDemoSignIn(page, server.url);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').waitFor();

    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    expect(await page.getByLabel('Email').inputValue()).toBe(email);
    await page.getByRole('button', { name: 'Send code' }).click();

    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    const mail = await server.smtp.waitForMail(email, (m) => /reset/i.test(m.subject));
    await page.getByLabel('Code').fill(codeFrom(mail));
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();

    // Terms and consent for the demo app are on record, so the journey goes straight back to the app.
    await expectSignedInAtDemo(page);
    expectNoProblems(problems);
  });

  it('the reset ended the other browser\'s session: its next sign-in asks for the email again', async () => {
    const { page, problems } = other;
    await startDemoSignIn(page, server.url);
    expect(pathOf(page)).toMatch(/^\/interaction\/[\w-]+$/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByLabel('Email').isVisible()).toBe(true);
    expectNoProblems(problems);
  });

  it('the old password no longer works; the new one does', async () => {
    const { page, problems } = other;
    await signInWithPassword(page, email, oldPassword);
    await page.getByRole('alert').filter({ hasText: 'Incorrect email or password.' }).waitFor();
    expect(pathOf(page)).toMatch(/\/password$/);

    await page.getByLabel('Password').fill(newPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectSignedInAtDemo(page);
    expectNoProblems(problems);
  });
});
