// The hosted pages as Chromium sees them: security headers, labelled inputs and text buttons, the
// stylesheet allowed by the CSP, CSRF refusals as a page, HttpOnly + SameSite cookies, a screenshot.
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, pathOf, signInWithPassword, startDemoSignIn } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const SCREENSHOT = '/tmp/foyer-signin.png';

describeWithBrowser('the hosted pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const documents: Response[] = [];
  const email = 'margaret@example.com';
  const password = 'several words make a good password';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ demo: true }), launchBrowser()]);
    const added = await runCommand(['users', 'add', '--email', email, '--password', password, '--verified'], { services: server.services });
    expect(added.exitCode, added.stderr).toBe(0);
    ({ context, page, problems } = await newContext(browser));
    page.on('response', (response) => {
      if (response.request().resourceType() === 'document' && response.url().startsWith(server.url)) documents.push(response);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Checks the page against the contract: a visible <label> for every input, only <button>s with visible text as actions. */
  const expectAccessibleForm = async () => {
    const faults = await page.evaluate(() => {
      const found: string[] = [];
      const visible = (el: Element) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
      };
      for (const input of document.querySelectorAll<HTMLInputElement>('input:not([type=hidden]), select, textarea')) {
        const labels = [...(input.labels ?? [])].filter((l) => visible(l) && l.textContent!.trim() !== '');
        if (labels.length === 0) found.push(`input ${input.name || input.id} has no visible label`);
      }
      for (const control of document.querySelectorAll('input[type=submit], input[type=button], input[type=image]')) found.push(`action ${control.outerHTML} is not a <button>`);
      for (const button of document.querySelectorAll('button')) if (!visible(button) || button.innerText.trim() === '') found.push(`button ${button.outerHTML} has no visible text`);
      if (!document.querySelector('h1')) found.push('no <h1>');
      if (document.documentElement.lang !== 'en') found.push('no lang on <html>');
      return found;
    });
    expect(faults, `${pathOf(page)}: ${faults.join('; ')}`).toEqual([]);
  };

  it('the sign-in page: security headers, the stylesheet applied under the CSP, a screenshot', async () => {
    await startDemoSignIn(page, server.url);
    const signIn = documents.at(-1)!;
    expect(new URL(signIn.url()).pathname).toMatch(/^\/interaction\/[\w-]+$/);
    expect(signIn.status()).toBe(200);
    const headers = await signIn.allHeaders();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toMatch(/^(no-referrer|same-origin|strict-origin(-when-cross-origin)?)$/);
    expect(headers['content-type']).toMatch(/^text\/html/);

    // foyer.css loaded and applied (a CSP blocking it would also be reported as a console problem).
    const button = page.getByRole('button', { name: 'Continue' });
    expect(await button.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(47, 91, 234)');
    expect(await page.locator('main').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(255, 255, 255)');
    expect(await page.title()).toContain('Sign in');
    expect(await page.getByLabel('Email').evaluate((el) => el === document.activeElement)).toBe(true);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expectNoProblems(problems);
  });

  it('every journey page labels its inputs and uses text buttons', async () => {
    const start = page.url();
    await expectAccessibleForm(); // identify
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await expectAccessibleForm();
    await page.goto(start);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').waitFor();
    await expectAccessibleForm();
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await expectAccessibleForm();
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('New password').waitFor();
    await expectAccessibleForm();
    expectNoProblems(problems);
  });

  it('a form posted without its _csrf field gets 403 and a page, not a stack trace', async () => {
    await startDemoSignIn(page, server.url);
    await page.locator('input[name=_csrf]').evaluateAll((inputs) => inputs.forEach((input) => input.remove()));
    await page.getByLabel('Email').fill(email);
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/identify')),
      page.getByRole('button', { name: 'Continue' }).click(),
    ]);
    expect(refused.status()).toBe(403);
    expect((await refused.allHeaders())['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.getByRole('heading', { name: 'We could not do that' }).waitFor();
    const alert = await page.getByRole('alert').innerText();
    expect(alert).toContain('This form has expired or was not sent from this site');
    const html = await page.content();
    expect(html).not.toMatch(/\bat \S+ \(|node_modules|\.ts:\d+|AppError|Error:/);
    // The page is still styled and well formed.
    expect(await page.locator('main').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(255, 255, 255)');
  });

  it('a form posted with a forged _csrf value gets 403 too', async () => {
    await startDemoSignIn(page, server.url);
    await page.locator('input[name=_csrf]').evaluateAll((inputs) => inputs.forEach((input) => ((input as HTMLInputElement).value = 'forged-token-value')));
    await page.getByLabel('Email').fill(email);
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/identify')),
      page.getByRole('button', { name: 'Continue' }).click(),
    ]);
    expect(refused.status()).toBe(403);
    await page.getByRole('heading', { name: 'We could not do that' }).waitFor();
  });

  it('after sign-in every cookie is HttpOnly and SameSite', async () => {
    await startDemoSignIn(page, server.url);
    await signInWithPassword(page, email, password);
    await page.getByRole('heading', { name: 'Please accept our terms' }).waitFor();
    await page.getByLabel('I accept these terms').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');

    const cookies = await context.cookies();
    const names = cookies.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['_session', 'foyer.csrf', 'foyer.demo']));
    for (const cookie of cookies) {
      expect(cookie.httpOnly, `${cookie.name} is HttpOnly`).toBe(true);
      expect(['Lax', 'Strict'], `${cookie.name} is SameSite (${cookie.sameSite})`).toContain(cookie.sameSite);
    }
    expect(cookies.find((c) => c.name === '_session')!.sameSite).toBe('Lax');

    // Every page on the way sent the security headers.
    for (const response of documents) {
      const headers = await response.allHeaders();
      expect(headers['content-security-policy'], response.url()).toContain("frame-ancestors 'none'");
      expect(headers['x-content-type-options'], response.url()).toBe('nosniff');
      expect(headers['referrer-policy'], response.url()).toBeTruthy();
    }
    expect(documents.length).toBeGreaterThan(10);
    expectNoProblems(problems);
  });
});
