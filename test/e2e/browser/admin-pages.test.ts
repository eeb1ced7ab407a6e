// The admin pages in Chromium: an administrator signs in to /admin through Foyer, registers a webhook with
// the form, sees its signing secret once, and finds every page accessible and within a phone's width.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { describeWithBrowser, expectAccessible, expectNoProblems, launchBrowser, newContext, signInToAdminPages } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('the admin pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a passphrase nobody would guess';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ admin: { requireSecondFactor: false } } as never), launchBrowser()]);
    await server.services.accounts.insertAccount({ email: 'admin-e2e@example.com', status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
    expect((await runCommand(['admins', 'add', 'admin-e2e@example.com'], { services: server.services })).exitCode).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in, registers a webhook with the form, and every page is accessible', async () => {
    const { context, page, problems } = await newContext(browser);
    await signInToAdminPages(page, server.url, '/admin/webhooks', 'admin-e2e@example.com', password);
    await page.getByLabel('Name').fill('Brand CRM');
    await page.getByLabel('URL').fill('https://crm.example/hooks');
    await page.getByLabel(/Profile fields it receives/).fill('email');
    await page.getByRole('button', { name: 'Register webhook' }).click();
    expect(await page.locator('#webhook-secret').innerText()).toMatch(/^whsec_/);
    await page.getByRole('link', { name: 'Brand CRM' }).click();
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.getByText('Disabled: it gets no new events.').waitFor();
    for (const path of ['/admin', '/admin/customers', '/admin/audit', '/admin/clients', '/admin/webhooks', '/admin/profile-fields', '/admin/consent', '/admin/admins', '/admin/dashboard', '/admin/vault', '/admin/vault?purpose=marketing']) {
      await page.goto(`${server.url}${path}`);
      await expectAccessible(page);
    }
    // A customer's page and an action's confirmation, reached with the keyboard-usable search form.
    await page.goto(`${server.url}/admin/customers`);
    await page.getByLabel('Email, name or sub').fill('@');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('tr[data-customer] a').first().click();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Unlock sign-in' }).click();
    await page.getByRole('button', { name: 'Yes, Unlock sign-in' }).waitFor();
    await expectAccessible(page);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${server.url}/admin/clients`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expectNoProblems(problems);
    await context.close();
  });
});
