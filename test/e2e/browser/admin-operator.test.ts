// An operator's walkthrough in Chromium: signs in to the admin pages through Foyer, finds a customer by email
// with the search form, disables them after the confirmation (their next sign-in through the real journey is
// refused, their refresh token is dead for openid-client), enables them again (they sign in), and resets
// their second factor (the mail reaches the SMTP capture). Every page on the way is accessible.
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { describeWithBrowser, expectAccessible, expectNoProblems, expectToReach, launchBrowser, newContext, signInToAdminPages } from '../../support/browser.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('an operator looks after a customer in Chromium', () => {
  const [operatorPassword, customerPassword, customerEmail] = ['a passphrase nobody would guess', 'the customer keeps this one safe', 'dora.customer@example.com'];
  let server: TestServer, browser: Browser, shop: RelyingParty, customerId: string;

  /** The customer signs in to the shop through the journey (offline access): the tokens, or the page that refused. */
  async function customerSignIn() {
    const journey = newBrowser();
    const auth = await shop.authorizationUrl({ scope: 'openid email offline_access', prompt: 'consent' });
    const page = await consentIfAsked(journey, await throughPrompts(journey, await enterEmailAndPassword(journey, await journey.get(auth.url), customerEmail, customerPassword)));
    return { page, tokens: page.url.startsWith(CALLBACK) ? await shop.exchange(page.url, auth) : undefined };
  }

  /** On the customer's page: presses an action, then its confirmation, and waits for what it says when done. */
  async function act(page: Page, label: string, done: string) {
    await page.getByRole('button', { name: label, exact: true }).click();
    await expectAccessible(page);
    await page.getByRole('button', { name: `Yes, ${label}` }).click();
    await page.getByText(done).waitFor();
  }

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ admin: { requireSecondFactor: false } } as never), launchBrowser()]);
    await server.services.accounts.insertAccount({ email: 'operator@example.com', status: 'active', passwordHash: await server.services.hasher.hash(operatorPassword), emailVerified: true });
    expect((await runCommand(['admins', 'add', 'operator@example.com', '--role', 'operator'], { services: server.services })).exitCode).toBe(0);
    shop = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email profile offline_access' });
    customerId = await createPasswordAccount(server, customerEmail, customerPassword);
    for (const other of ['dora.other@example.com', 'someone@example.com']) await createPasswordAccount(server, other, customerPassword);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds a customer by email, disables them (sign-in refused, refresh token dead), enables them, and resets their second factor (mailed)', async () => {
    const before = await customerSignIn();
    expect(before.tokens?.refresh_token, before.page.html.slice(0, 500)).toBeTruthy();

    const { context, page, problems } = await newContext(browser);
    await signInToAdminPages(page, server.url, '/admin/customers', 'operator@example.com', operatorPassword);

    // Find the customer by (part of) the email address, with the keyboard.
    await page.getByLabel('Email, name or sub').fill('DORA.customer');
    await page.getByLabel('Email, name or sub').press('Enter');
    await expectToReach(page, (url) => url.searchParams.get('q') === 'DORA.customer', 'the search results');
    const rows = page.locator('tr[data-customer]');
    expect(await rows.count()).toBe(1);
    await rows.first().getByRole('link').click();
    await expectToReach(page, (url) => url.pathname === `/admin/customers/${customerId}`, "the customer's page");
    await expectAccessible(page);

    // Disable: the refresh token dies at once, and the next sign-in through the journey is refused.
    await act(page, 'Disable account', 'Disabled: signed out everywhere; sign-in is refused.');
    expect((await server.services.accounts.findAccountById(customerId))?.status).toBe('disabled');
    await expect(oidc.refreshTokenGrant(shop.config, before.tokens!.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const refused = await customerSignIn();
    expect(refused.tokens).toBeUndefined();
    expect(refused.page.html).toContain('Incorrect email or password.');

    // Enable: the customer signs in again and gets a refresh token that works.
    await act(page, 'Enable account', 'Enabled.');
    const back = await customerSignIn();
    expect(back.tokens?.refresh_token, back.page.html.slice(0, 500)).toBeTruthy();
    expect((await oidc.refreshTokenGrant(shop.config, back.tokens!.refresh_token!)).access_token).toBeTruthy();

    // Reset the second factor: it is gone, and the customer is told by mail.
    await server.services.accountSecurity.setMfaEnabled(customerId, true);
    await page.reload();
    await act(page, 'Reset second factor', 'Second factor reset; the customer was mailed.');
    const mail = await server.smtp.waitForMail(customerEmail, (m) => m.subject.includes('second step'));
    expect(mail.text).toContain('reset the second step');
    expect(((await server.services.customerDirectory.searchCustomers({ q: customerEmail, hasMfa: true }, { limit: 5 })).customers)).toEqual([]);

    // Each action is in the audit log with the operator as its actor.
    const audited = await server.services.db('events').where({ account_id: customerId }).whereIn('type', ['account.disabled', 'account.enabled', 'mfa.reset']).select('type', 'actor') as { type: string; actor: string }[];
    expect(audited.map((e) => e.type).sort()).toEqual(['account.disabled', 'account.enabled', 'mfa.reset']);
    expect(audited.every((e) => e.actor.startsWith('admin:'))).toBe(true);
    expectNoProblems(problems);
    await context.close();
  });
});
