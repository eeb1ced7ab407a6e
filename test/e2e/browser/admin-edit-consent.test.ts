// The purposes, documents and social-login pages in Chromium: an operator fills the forms with the keyboard
// alone, a refused form lists its problems at the top linked to their fields, a purpose's name is edited in
// another language, and every page is accessible at desktop and phone width.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { describeWithBrowser, expectAccessible, expectNoProblems, expectToReach, launchBrowser, newContext, signInWithPassword } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('the edit pages for purposes, documents and social login in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a passphrase nobody would guess';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ admin: { requireSecondFactor: false } } as never), launchBrowser()]);
    await server.services.accounts.insertAccount({ email: 'editor-e2e@example.com', status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
    expect((await runCommand(['admins', 'add', 'editor-e2e@example.com', '--role', 'operator'], { services: server.services })).exitCode).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('fills the forms with the keyboard, links each problem to its field, and every page is accessible', async () => {
    const { context, page, problems } = await newContext(browser);
    await page.goto(`${server.url}/admin/connectors`);
    await signInWithPassword(page, 'editor-e2e@example.com', password);
    const terms = page.getByLabel('I accept these terms');
    if (await terms.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      await terms.check();
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    await expectToReach(page, (url) => url.pathname === '/admin/connectors', 'the social-login page');

    // A refused form: the summary links to the field, which says what is wrong.
    await page.getByLabel(/^Id \(lower-case/).fill('Bad Id');
    await page.getByLabel(/^Id \(lower-case/).press('Enter');
    await page.getByText('The form has problems; nothing was saved').waitFor();
    await expectAccessible(page);
    await page.getByRole('link', { name: /^id: must be lower-case/ }).click();
    expect(await page.evaluate(() => location.hash)).toBe('#new-connector-id');

    // The keyboard alone: type in each field, Tab between them, Enter submits.
    await page.getByLabel(/^Id \(lower-case/).fill('upstream');
    await page.locator('#new-connector-kind').selectOption('oidc');
    await page.getByLabel(/^Button name/).focus();
    await page.keyboard.type('Upstream');
    await page.keyboard.press('Tab');
    await page.keyboard.type('foyer');
    await page.keyboard.press('Tab');
    await page.keyboard.type('https://login.upstream.example');
    await page.getByLabel(/^Client secret/).fill('a-secret-typed-once');
    await page.getByLabel(/^Client secret/).press('Enter');
    await page.getByText('Connector added.').waitFor();
    expect(await page.content()).not.toContain('a-secret-typed-once');

    // A purpose's name in Polish, typed in its language's fieldset; the Arabic boxes write right to left.
    await page.goto(`${server.url}/admin/purposes/marketing`);
    expect(await page.locator('#edit-purpose-name_ar').getAttribute('dir')).toBe('rtl');
    await page.locator('#edit-purpose-name_pl').fill('Oferty i nowości');
    await page.locator('#edit-purpose-description_pl').fill('Za Twoją zgodą wysyłamy Ci nowości i oferty.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect((await server.services.consentRegistry.findPurpose('marketing'))?.texts).toMatchObject({
      en: { name: 'Marketing' }, pl: { name: 'Oferty i nowości', description: 'Za Twoją zgodą wysyłamy Ci nowości i oferty.' },
    });

    for (const path of ['/admin/connectors', '/admin/connectors/upstream', '/admin/purposes', '/admin/purposes/marketing', '/admin/documents', '/admin/documents/terms']) {
      for (const width of [1280, 375]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${server.url}${path}`);
        await expectAccessible(page);
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${path} at ${width}px`).toBe(true);
      }
    }
    await page.goto(`${server.url}/admin/connectors/upstream`);
    await page.getByRole('button', { name: 'Turn off' }).click();
    await page.getByRole('button', { name: 'Yes, turn it off' }).waitFor();
    await expectAccessible(page);
    expectNoProblems(problems);
    await context.close();
  }, 120_000);
});
