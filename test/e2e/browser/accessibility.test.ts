// WCAG 2.1 A/AA in Chromium (axe-core) on every page a person reaches — the sign-in journey, the account
// pages, the admin pages, /privacy, the capture form, the device and error pages — in English and in
// Arabic (right to left), at a desktop width and at 320 px, with no horizontal scrolling at 320 px.
// Selectors are by id, name and form action, never by words, so the same walk runs in every language.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { auditPage, DESKTOP } from '../../support/accessibility.ts';
import { describeWithBrowser, expectToReach, launchBrowser } from '../../support/browser.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const LANGUAGES = [
  { tag: 'en', locale: 'en-GB', dir: 'ltr' },
  { tag: 'ar', locale: 'ar', dir: 'rtl' },
] as const;

describeWithBrowser('every page passes axe (WCAG 2.1 A/AA) in English and Arabic, at 320 px and desktop', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a passphrase nobody would guess';
  const admin = 'a11y-admin@example.com';
  const customer = 'a11y-customer@example.com';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({
      demo: true,
      admin: { requireSecondFactor: false },
      profile: { fields: [{ key: 'given_name', label: { en: 'First name' }, ask: 'signup', validation: { maxLength: 40 } }] },
    } as never), launchBrowser()]);
    for (const email of [admin, customer]) {
      await server.services.accounts.insertAccount({ email, status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
    }
    expect((await runCommand(['admins', 'add', admin], { services: server.services })).exitCode).toBe(0);
    await server.services.clients.addClient({ clientId: 'news', name: 'Brand News', public: true, redirectUris: ['https://brand.example/cb'], scope: 'openid email capture' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function contextIn(language: (typeof LANGUAGES)[number]): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: language.locale, viewport: DESKTOP });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(10_000);
    return { context, page: await context.newPage() };
  }

  /** Audits the page and checks <html dir> for the language. */
  async function audit(page: Page, language: (typeof LANGUAGES)[number], label: string, faults: string[]): Promise<void> {
    await page.waitForLoadState('load');
    expect(await page.locator('html').getAttribute('dir'), `${label}: <html dir>`).toBe(language.dir);
    faults.push(...await auditPage(page, `${language.tag} ${label}`));
  }

  const submit = (page: Page, action: string) => page.locator(`form[action$="${action}"] button[type=submit]`).first().click();

  async function startSignIn(page: Page): Promise<void> {
    for (const name of ['foyer.demo', 'foyer.demo.sig']) await page.context().clearCookies({ name });
    await page.goto(`${server.url}/demo`);
    await submit(page, '/demo/login');
    await page.waitForURL(/\/interaction\/[\w-]+$/);
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.locator('#email').fill(email);
    await submit(page, '/identify');
    await page.locator('#password').fill(password);
    await submit(page, '/password');
  }

  /** After the first factor: audits and answers each prompt (terms, consent, profile, passkey offer) until `done`. */
  async function throughPrompts(page: Page, language: (typeof LANGUAGES)[number], faults: string[], done: (url: URL) => boolean): Promise<void> {
    let profileTried = false;
    for (let step = 0; step < 10; step++) {
      await page.waitForLoadState('load');
      if (done(new URL(page.url()))) return;
      const has = (action: string) => page.locator(`form[action$="${action}"]`).count().then((n) => n > 0);
      if (await has('/terms')) {
        await audit(page, language, 'terms', faults);
        await page.locator('#accept').check();
        await submit(page, '/terms');
      } else if (await has('/consent')) {
        await audit(page, language, 'consent', faults);
        await submit(page, '/consent');
      } else if (await has('/profile')) {
        if (!profileTried) {
          profileTried = true;
          await audit(page, language, 'profile prompt', faults);
          await page.locator('#field-given_name').fill('H'.repeat(41));
          await submit(page, '/profile');
          await audit(page, language, 'profile prompt with an error', faults);
        }
        await page.locator('#field-given_name').fill('Hedy');
        await submit(page, '/profile');
      } else if (await has('/passkey/offer/decline')) {
        await audit(page, language, 'passkey offer', faults);
        await submit(page, '/passkey/offer/decline');
      } else {
        throw new Error(`unexpected page ${page.url()}: ${(await page.locator('main').innerText()).slice(0, 300)}`);
      }
    }
  }

  for (const language of LANGUAGES) {
    it(`the sign-in journey (${language.tag})`, async () => {
      const faults: string[] = [];
      const { context, page } = await contextIn(language);
      await startSignIn(page);
      const start = page.url();
      await audit(page, language, 'identify', faults);

      // Sign-up: the form, its errors, the code page for a long address, then each prompt.
      await page.goto(`${start}/signup`);
      await audit(page, language, 'sign-up', faults);
      await submit(page, '/signup');
      await audit(page, language, 'sign-up with errors', faults);
      // Each field error is listed at the top with a link to its field, which is marked invalid.
      const linked = await page.locator('#error-summary[role=alert] a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
      expect(linked[0]).toBe('#email');
      for (const href of linked) expect(await page.locator(href).getAttribute('aria-invalid'), href).toBe('true');
      const email = `${language.tag}.a.rather.long.name@example.com`.padStart(34, 'x');
      expect(email).toHaveLength(34);
      await page.locator('#email').fill(email);
      await page.locator('#password').fill(password);
      await page.locator('#terms').check();
      await submit(page, '/signup');
      await page.locator('#code').waitFor();
      await audit(page, language, 'sign-up code (34-character email)', faults);
      await page.locator('#code').fill('000000');
      await submit(page, '/signup/verify');
      await audit(page, language, 'sign-up code with an error', faults);
      await page.locator('#code').fill(codeFrom(await server.smtp.waitForMail(email, (m) => /\d{6}/.test(m.text))));
      await submit(page, '/signup/verify');
      await throughPrompts(page, language, faults, (url) => url.pathname === '/demo');

      // Password, a wrong password, the email code page for the same long address, forgot and reset.
      await context.clearCookies();
      await startSignIn(page);
      await page.locator('#email').fill(email);
      await submit(page, '/identify');
      await page.locator('#password').waitFor();
      await audit(page, language, 'password', faults);
      await page.locator('#password').fill('not the password at all');
      await submit(page, '/password');
      await audit(page, language, 'password with an error', faults);
      // The error is summarised at the top, links to its field, and the field names it.
      expect(await page.locator('#error-summary[role=alert] a').getAttribute('href')).toBe('#password');
      expect(await page.locator('#password').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#password').getAttribute('aria-describedby')).toBe('error-message');
      await page.locator('#error-summary a').click();
      expect(await page.locator('#password').evaluate((el) => el === document.activeElement)).toBe(true);
      await submit(page, '/email-code/send');
      await page.locator('#code').waitFor();
      await audit(page, language, 'email code (34-character email)', faults);
      await page.locator('#code').fill('000000');
      await submit(page, '/email-code/verify');
      await audit(page, language, 'email code with an error', faults);
      await page.goto(`${page.url().replace(/\/interaction\/([\w-]+).*$/, '/interaction/$1')}/forgot`);
      await audit(page, language, 'forgot password', faults);
      await submit(page, '/forgot');
      await page.locator('#new_password').waitFor();
      await audit(page, language, 'reset password', faults);
      await page.locator('#code').fill('000000');
      await page.locator('#new_password').fill(password);
      await submit(page, '/reset');
      await audit(page, language, 'reset password with an error', faults);

      // Logout, the device pages, an unknown interaction (the error page).
      await page.goto(`${server.url}/session/end`);
      await audit(page, language, 'logout', faults);
      await page.goto(`${server.url}/device`);
      await audit(page, language, 'device code', faults);
      await page.locator('#user_code').fill('XXXX-XXXX');
      await page.locator('form button[type=submit]').first().click();
      await page.waitForLoadState('load');
      await audit(page, language, 'device code with an error', faults);
      await page.goto(`${server.url}/interaction/no-such-interaction`);
      await audit(page, language, 'error page', faults);
      await page.goto(`${server.url}/privacy`);
      await audit(page, language, 'privacy', faults);
      await page.goto(`${server.url}/capture?client_id=news`);
      await audit(page, language, 'capture form', faults);
      await submit(page, '/capture');
      await audit(page, language, 'capture form with errors', faults);
      await context.close();
      expect(faults, faults.join('\n')).toEqual([]);
    }, 600_000);

    it(`the account pages (${language.tag})`, async () => {
      const faults: string[] = [];
      const { context, page } = await contextIn(language);
      await page.goto(`${server.url}/account`);
      await audit(page, language, 'account welcome', faults);
      await page.goto(`${server.url}/account/login`);
      await signIn(page, customer);
      await throughPrompts(page, language, faults, (url) => url.pathname.startsWith('/account/'));
      const sections = await page.locator('nav.portal-nav a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
      expect(sections.length).toBeGreaterThan(3);
      for (const href of sections) {
        await page.goto(href);
        await audit(page, language, `account ${new URL(href).pathname}`, faults);
      }
      await context.close();
      expect(faults, faults.join('\n')).toEqual([]);
    }, 600_000);

    it(`the admin pages (${language.tag})`, async () => {
      const faults: string[] = [];
      const { context, page } = await contextIn(language);
      await page.goto(`${server.url}/admin`);
      await signIn(page, admin);
      await throughPrompts(page, language, faults, (url) => url.pathname.startsWith('/admin'));
      const linked = await page.locator('nav.portal-nav a').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      const listed = ['/admin', '/admin/dashboard', '/admin/customers', '/admin/audit', '/admin/vault', '/admin/webhooks', '/admin/clients', '/admin/profile-fields', '/admin/consent', '/admin/admins',
        '/admin/brands', '/admin/connectors', '/admin/documents', '/admin/purposes', '/admin/keys', '/admin/resources', '/admin/clients/new', '/admin/profile-fields/new', '/admin/resources/new'];
      const details = new Set<string>();
      for (const path of new Set([...linked, ...listed])) {
        const response = await page.goto(`${server.url}${path}`);
        if (response?.status() === 404) continue; // a page another change has not brought yet
        await audit(page, language, `admin ${path}`, faults);
        const inside = await page.locator('main a').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
        const detail = inside.find((href) => /^\/admin\/(brands|connectors|documents|purposes|topics|webhooks)\/[^/]+$|^\/admin\/(clients|profile-fields)\/[^/]+\/edit$/.test(href) && !href.endsWith('/new'));
        if (detail) details.add(detail);
      }
      for (const path of details) {
        await page.goto(`${server.url}${path}`);
        await audit(page, language, `admin ${path}`, faults);
      }
      // A new app's form sent empty: its errors.
      await page.goto(`${server.url}/admin/clients/new`);
      await page.locator('main form button[type=submit]').first().click();
      await page.waitForLoadState('load');
      await audit(page, language, 'admin new app with errors', faults);
      const account = (await server.services.accounts.findAccountByEmail(customer))!;
      await page.goto(`${server.url}/admin/customers?q=${encodeURIComponent('@')}`);
      await audit(page, language, 'admin customers search', faults);
      await page.goto(`${server.url}/admin/customers/${account.id}`);
      await audit(page, language, 'admin customer', faults);
      await context.close();
      expect(faults, faults.join('\n')).toEqual([]);
    }, 600_000);
  }
});
