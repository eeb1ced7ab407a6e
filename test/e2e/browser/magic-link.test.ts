// The mailed sign-in link in Chromium: opened in the browser that asked for it, its "Sign in" button finishes
// the waiting authorization; opened in another browser, it only shows the code, which the original types.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { demoJson, describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, startDemoSignIn } from '../../support/browser.ts';
import type { CapturedMail } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('the sign-in link in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const email = 'ada@example.com';
  let accountId: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ demo: true }), launchBrowser()]);
    // A lite account (no password; its first sign-in activates it) whose terms are on record.
    const added = await runCommand(['users', 'add', '--email', email, '--json'], { services: server.services });
    expect(added.exitCode, added.stderr).toBe(0);
    accountId = (JSON.parse(added.stdout) as { id: string }).id;
    await server.services.consent.acceptDocuments(accountId, await server.services.consent.requiredDocuments(), { channel: 'test' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** From the demo app: the email, then "Email me a code"; returns the link from the mail that arrives. */
  const askForLink = async (page: Page, mailsBefore: number): Promise<string> => {
    await startDemoSignIn(page, server.url);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await page.getByLabel('Code').isVisible()).toBe(true);
    const mail = await waitForNthMail(mailsBefore);
    return /(http:\/\/\S+\/signin\/link\/[\w-]+)/.exec(mail.text)![1]!;
  };
  const waitForNthMail = async (index: number): Promise<CapturedMail> => {
    for (let i = 0; i < 200; i++) {
      const mail = server.smtp.mails.filter((m) => m.to.includes(email) && m.subject.includes('sign-in code'))[index];
      if (mail) return mail;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no sign-in mail #${index}`);
  };
  it('opened in the same browser (another tab), "Sign in" finishes the waiting authorization', async () => {
    const { context, page, problems } = await newContext(browser);
    const link = await askForLink(page, 0);
    const tab = await context.newPage();
    await tab.goto(link);
    await tab.getByRole('heading', { name: 'Sign in to Foyer' }).waitFor();
    expect(await tab.getByText(email).first().isVisible()).toBe(true);
    await tab.getByRole('button', { name: 'Sign in', exact: true }).click();
    await tab.getByRole('heading', { name: 'Demo app wants to access your account' }).waitFor();
    await tab.getByRole('button', { name: 'Allow' }).click();
    await expectToReach(tab, (url) => url.pathname === '/demo', 'the demo app signed in');
    await tab.getByRole('heading', { name: 'Userinfo' }).waitFor();
    expect(await demoJson(tab, 'userinfo')).toMatchObject({ sub: accountId, email, email_verified: true });
    expect(await server.services.accounts.findAccountById(accountId)).toMatchObject({ status: 'active', passwordHash: null });
    // The browser now has a device cookie: HttpOnly, SameSite=Lax, for the whole site.
    const device = (await context.cookies()).find((c) => c.name === 'foyer.device');
    expect(device).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(device!.expires).toBeGreaterThan(Date.now() / 1000 + 300 * 24 * 3600);
    expectNoProblems(problems);
    await context.close();
  });

  it('opened in another browser, it shows the code, and the original signs in by typing it', async () => {
    const original = await newContext(browser);
    const link = await askForLink(original.page, 1);

    const other = await newContext(browser);
    await other.page.goto(link);
    await other.page.getByText('Type this code in the browser where you started signing in').waitFor();
    expect(await other.page.getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(0);
    const code = (await other.page.getByLabel('Sign-in code').innerText()).trim();
    expect(code).toMatch(/^\d{6}$/);
    // The other browser is not signed in: it holds no session of Foyer's.
    expect((await other.context.cookies()).map((c) => c.name)).not.toContain('_session');

    // Consent for the demo app is on record since the first sign-in: the code leads straight back to it.
    await original.page.getByLabel('Code').fill(code);
    await original.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectToReach(original.page, (url) => url.pathname === '/demo', 'the demo app signed in');
    await original.page.getByRole('heading', { name: 'Userinfo' }).waitFor();
    expect(await demoJson(original.page, 'userinfo')).toMatchObject({ sub: accountId, email });
    expectNoProblems(original.problems);
    expectNoProblems(other.problems);
    await Promise.all([original.context.close(), other.context.close()]);
  });
});
