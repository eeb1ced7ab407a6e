// The account pages in Chromium: sign in to /account, see the sections, add and remove a passkey (virtual
// authenticator), remove an app's access, edit a profile field that a downstream system (a webhook on
// loopback) receives, sign out; and on a phone-sized screen, no horizontal scrolling.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser, expectAccessible, expectNoProblems, expectToReach, launchBrowser, newContext, signInWithPassword, startDemoSignIn } from '../../support/browser.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startWebhookReceiver } from '../../support/webhook-receiver.ts';

describeWithBrowser('the account pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  const password = 'a passphrase nobody would guess';

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    [server, browser] = await Promise.all([startTestServer({
      demo: true, outboundAllowPrivate: true, webhooks: { pollMilliseconds: 100 },
      profile: { fields: [{ key: 'loyalty_number', label: { en: 'Loyalty card number' }, purpose: 'account', scope: null }] },
    } as never), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
  });

  async function account(email: string): Promise<string> {
    return (await server.services.accounts.insertAccount({ email, status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true })).id;
  }

  /** From a Foyer sign-in page: email and password, then the terms when asked. */
  async function signIn(page: Page, email: string): Promise<void> {
    await signInWithPassword(page, email, password);
    const terms = page.getByLabel('I accept these terms');
    if (await terms.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      await terms.check();
      await page.getByRole('button', { name: 'Continue' }).click();
    }
  }

  const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('signs in to /account, shows the sections, adds and removes a passkey, and signs out', async () => {
    const id = await account('portal-e2e@example.com');
    const { context, page, problems } = await newContext(browser);
    await page.goto(`${server.url}/account`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await signIn(page, 'portal-e2e@example.com');
    await expectToReach(page, (url) => url.pathname === '/account/overview', 'the account overview');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Your account' });
    for (const name of ['Overview', 'Security', 'Linked accounts', 'Connected apps', 'Sessions and devices']) expect(await nav.getByRole('link', { name }).isVisible(), name).toBe(true);

    // The device gets its authenticator now (before, the sign-in would have offered a passkey itself).
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await nav.getByRole('link', { name: 'Security' }).click();
    // A first second factor on a password sign-in: the email is confirmed with a mailed code first.
    await page.getByRole('link', { name: 'confirm it is you', exact: true }).click();
    await page.getByRole('button', { name: 'Send me the code' }).click();
    const mail = await server.smtp.waitForMail('portal-e2e@example.com', (m) => m.subject.startsWith('Confirm it is you to set up'));
    await page.getByLabel('Code from the email').fill(codeFrom(mail));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('Passkey added').waitFor();
    expect(await server.services.db('passkeys').where({ account_id: id })).toHaveLength(1);
    await page.getByRole('button', { name: 'Remove passkey' }).click();
    await page.getByText('Passkey removed.').waitFor();
    expect(await server.services.db('passkeys').where({ account_id: id })).toHaveLength(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await page.goto(`${server.url}/account/overview`);
    await page.getByLabel('Email').waitFor(); // signed out of Foyer too: the sign-in page, not the account
    expectNoProblems(problems);
    await context.close();
  });

  it('removes an app’s access from Connected apps', async () => {
    const id = await account('apps-e2e@example.com');
    const { context, page, problems } = await newContext(browser);
    await startDemoSignIn(page, server.url);
    await signIn(page, 'apps-e2e@example.com');
    await page.getByRole('button', { name: 'Allow' }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');

    await page.goto(`${server.url}/account/apps`);
    const app = page.locator('li[data-app="demo"]');
    await app.getByText('Demo app').waitFor();
    expect(await app.getByText('Your email address').isVisible()).toBe(true);
    await app.getByRole('button', { name: 'Remove access' }).click();
    await page.getByText('Access removed').waitFor();
    expect(await page.locator('li[data-app="demo"]').count()).toBe(0);
    expect(await server.services.db('client_consents').where({ account_id: id, client_id: 'demo' })).toHaveLength(0);
    // Signing in to the demo again asks for consent again.
    await startDemoSignIn(page, server.url);
    await page.getByRole('button', { name: 'Allow' }).waitFor();
    expectNoProblems(problems);
    await context.close();
  });

  it('edits a profile field and names the downstream system that receives it, which gets the change', async () => {
    const id = await account('profile-e2e@example.com');
    await server.services.webhooks.add({ name: 'Brand CRM', url: receiver.url, events: ['profile.*'], fields: ['email', 'loyalty_number'] });
    const { context, page, problems } = await newContext(browser);
    // A deep link into the account pages goes straight to sign-in, then back to that page.
    await page.goto(`${server.url}/account/profile`);
    await signIn(page, 'profile-e2e@example.com');
    await expectToReach(page, (url) => url.pathname === '/account/profile', 'the profile page');
    await expectAccessible(page);
    const field = page.locator('#profile-loyalty_number');
    await field.getByLabel('Loyalty card number').fill('L-4242');
    await field.getByRole('button', { name: 'Save Loyalty card number' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await page.locator('#profile-loyalty_number').innerText()).toMatch(/Set by You[\s\S]*Also sent to: Brand CRM/);
    expect(await page.locator('#email-about').innerText()).toContain('Also sent to: Brand CRM');
    const message = await receiver.waitFor((r) => r.message.type === 'profile.updated' && r.message.data.sub === id);
    expect(message.message.data).toMatchObject({ profile: { email: 'profile-e2e@example.com', loyalty_number: 'L-4242' } });
    expectNoProblems(problems);
    await context.close();
  });

  it('fits a phone screen: one column, no horizontal scrolling', async () => {
    await account('phone-e2e@example.com');
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true, locale: 'en-GB' });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    await page.goto(`${server.url}/account/overview`);
    await signIn(page, 'phone-e2e@example.com');
    await expectToReach(page, (url) => url.pathname === '/account/overview', 'the account overview');
    for (const path of ['/account/overview', '/account/profile', '/account/security', '/account/linked', '/account/apps', '/account/sessions']) {
      await page.goto(`${server.url}${path}`);
      expect(await noHorizontalScroll(page), path).toBe(true);
    }
    const links = page.getByRole('navigation', { name: 'Your account' }).getByRole('link');
    expect(await links.count()).toBeGreaterThanOrEqual(5);
    await context.close();
  });
});
