// Headless Chromium for end-to-end tests of the hosted pages as a person sees them (playwright-core
// drives the system Chromium; no browser download). Without Chromium the browser suites are skipped
// with a hint, except in CI (CI=true), where a missing browser fails the run.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { codeFrom, type SmtpCapture } from './smtp-capture.ts';

export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const chromiumAvailable = existsSync(chromiumPath);
const missingHint = `Chromium not found at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM`;

export function launchBrowser(): Promise<Browser> {
  if (!chromiumAvailable) throw new Error(missingHint);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

let hinted = false;

/** A describe block that needs Chromium: skipped with a one-line hint when it is missing, failed in CI. */
export function describeWithBrowser(name: string, body: () => void): void {
  if (chromiumAvailable) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has a Chromium to run in', () => {
        throw new Error(`${missingHint} (CI=true: browser tests must run)`);
      });
    });
    return;
  }
  if (!hinted) {
    hinted = true;
    console.warn(`skipping browser tests: ${missingHint}`);
  }
  describe.skip(`${name} (${missingHint})`, body);
}

/**
 * A fresh browser context whose pages record console errors and uncaught exceptions (a blocked
 * stylesheet or script under the Content-Security-Policy shows up here).
 */
export async function newContext(browser: Browser): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1024, height: 768 } });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  const problems: string[] = [];
  context.on('page', (page) => watchPage(page, problems));
  const page = await context.newPage();
  return { context, page, problems };
}

function watchPage(page: Page, problems: string[]): void {
  page.on('console', (message) => {
    // A deliberate 4xx answer is logged by Chromium as a failed resource load; that is not a page fault.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
}

/** The path of the page's current URL (without query). */
export const pathOf = (page: Page) => new URL(page.url()).pathname;

/** Asserts the page shows no stylesheet / script / CSP problems so far. */
export function expectNoProblems(problems: string[]): void {
  expect(problems, problems.join('\n')).toEqual([]);
}

/** Opens the demo app and presses its "Sign in" button; returns once the first sign-in page shows. */
/** Opens the demo app afresh (forgetting what it received before, not Foyer's session) and presses Sign in. */
export async function startDemoSignIn(page: Page, issuer: string): Promise<void> {
  for (const name of ['foyer.demo', 'foyer.demo.sig']) await page.context().clearCookies({ name });
  await page.goto(`${issuer}/demo`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/\/interaction\/[\w-]+$/);
}

/** From the first sign-in page: email, "Continue", password, "Sign in". */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** From the first sign-in page: "Create account", email, password, the terms ticked, then the mailed code and "Continue". */
export async function signUpWithMailedCode(page: Page, smtp: Pick<SmtpCapture, 'waitForMail'>, email: string, password: string): Promise<void> {
  await page.getByRole('link', { name: 'Create account' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByLabel('I accept the terms of service and the privacy policy').check();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByLabel('Code').fill(codeFrom(await smtp.waitForMail(email, (m) => m.subject.includes('code'))));
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** The JSON shown in one of the demo app's <pre> blocks after sign-in. */
export async function demoJson(page: Page, id: 'id-token-claims' | 'userinfo'): Promise<Record<string, unknown>> {
  return JSON.parse(await page.locator(`pre#${id}`).innerText()) as Record<string, unknown>;
}

/** Waits for a URL; on timeout the error names where the page is and what it says instead. */
export async function expectToReach(page: Page, match: (url: URL) => boolean, what: string, timeout = 10_000): Promise<void> {
  try {
    await page.waitForURL(match, { timeout });
  } catch {
    const text = await page.locator('main').innerText().catch(() => '(no <main>)');
    throw new Error(`expected to reach ${what}, but the page is ${page.url()}:\n${text.slice(0, 1000)}`);
  }
}

/** After a CLI-made account's first factor: accept the terms, allow the demo app, and land on it signed in. */
export async function acceptTermsAndConsentToDemo(page: Page): Promise<void> {
  await page.getByRole('heading', { name: 'Please accept our terms' }).waitFor();
  await page.getByLabel('I accept these terms').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
}

/** Every input has a visible label; every action is a button with visible text; no id is used twice (labels would point at the wrong element). */
export async function expectAccessible(page: Page): Promise<void> {
  const faults = await page.evaluate(() => {
    const found: string[] = [];
    const visible = (el: Element) => el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility !== 'hidden';
    for (const input of document.querySelectorAll<HTMLInputElement>('input:not([type=hidden])')) {
      if (![...(input.labels ?? [])].some((l) => visible(l) && l.textContent!.trim())) found.push(`input ${input.name} has no visible label`);
    }
    for (const button of document.querySelectorAll('button')) if (!visible(button) || !button.innerText.trim()) found.push(`button ${button.outerHTML} has no visible text`);
    const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
    for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) found.push(`id ${id} is used more than once`);
    return found;
  });
  expect(faults).toEqual([]);
}

/** Opens an admin page, signs in through Foyer with the password (accepting the terms when asked), and waits to be back on it. */
export async function signInToAdminPages(page: Page, issuer: string, path: string, email: string, password: string): Promise<void> {
  await page.goto(`${issuer}${path}`);
  await signInWithPassword(page, email, password);
  const terms = page.getByLabel('I accept these terms');
  if (await terms.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
    await terms.check();
    await page.getByRole('button', { name: 'Continue' }).click();
  }
  await expectToReach(page, (url) => url.pathname === path, `the admin page ${path}`);
}
