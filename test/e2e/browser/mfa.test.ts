// Two-step verification in Chromium: the demo app requires MFA; a customer who signed in with a password first
// confirms the email with a mailed code, then sets up TOTP by typing the manual key shown on the page (as into an authenticator app), saves the recovery codes, then signs in
// again in a fresh browser with a TOTP code. The ID token the demo app shows says acr 2fa.
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { DEMO_CLIENT_ID, demoRedirectUris } from '../../../src/demo/routes.ts';
import { demoJson, describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, signInWithPassword, startDemoSignIn, acceptTermsAndConsentToDemo, expectAccessible } from '../../support/browser.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('two-step verification in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let secret: string;
  const email = 'hedy@example.com';
  const password = 'frequency hopping over quiet water';
  const totpCode = (steps: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * 30_000 });

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ demo: true }), launchBrowser()]);
    // The demo app, registered again as a client that requires a second factor.
    const { redirectUri, postLogoutRedirectUri } = demoRedirectUris(server.url);
    await server.services.clients.removeClient(DEMO_CLIENT_ID);
    await server.services.clients.addClient({ clientId: DEMO_CLIENT_ID, name: 'Demo app', public: true, redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri], scope: 'openid email profile', mfa: 'required' });
    const added = await runCommand(['users', 'add', '--email', email, '--password', password, '--verified'], { services: server.services });
    expect(added.exitCode, added.stderr).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });


  it('sets up TOTP from the manual key during sign-in and shows ten recovery codes', async () => {
    const { page, problems, context } = await newContext(browser);
    await startDemoSignIn(page, server.url);
    await signInWithPassword(page, email, password);

    // A password alone does not add a first second factor: the email is confirmed first.
    await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
    expect(await page.locator('#manual-key').count()).toBe(0);
    await page.getByRole('button', { name: 'Send me the code' }).click();
    const mail = await server.smtp.waitForMail(email, (m) => m.subject.startsWith('Confirm it is you to set up'));
    await page.getByLabel('Code from the email').fill(codeFrom(mail));
    await page.getByRole('button', { name: 'Continue to set up' }).click();

    await page.getByRole('heading', { name: 'Set up two-step verification' }).waitFor();
    expect(await page.getByAltText('QR code to add your account to an authenticator app').isVisible()).toBe(true);
    secret = (await page.locator('#manual-key').innerText()).replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await expectAccessible(page);
    await page.getByLabel('Code from your authenticator app').fill(totpCode(0));
    await page.getByRole('button', { name: 'Verify and turn on' }).click();

    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    const codes = await page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allInnerTexts();
    expect(codes).toHaveLength(10);
    await page.getByRole('button', { name: 'I have saved them, continue' }).click();

    // The rest of the journey follows the second factor: terms (the account came from the CLI), consent.
    await acceptTermsAndConsentToDemo(page);
    const claims = await demoJson(page, 'id-token-claims');
    expect(claims.acr).toBe('urn:foyer:acr:2fa');
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expectNoProblems(problems);
    await context.close();
  });

  it('signs in again in a fresh browser with the password and a TOTP code', async () => {
    const { page, problems, context } = await newContext(browser);
    await startDemoSignIn(page, server.url);
    await signInWithPassword(page, email, password);

    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    await expectAccessible(page);
    // A wrong code is refused on the page; the next period's code (the current one was spent at setup) works.
    await page.getByLabel('Code from your authenticator app').fill(totpCode(-5));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('That code is not right').waitFor();
    await page.getByLabel('Code from your authenticator app').fill(totpCode(1));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();

    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    const claims = await demoJson(page, 'id-token-claims');
    expect(claims.acr).toBe('urn:foyer:acr:2fa');
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa']);
    expectNoProblems(problems);
    await context.close();
  });
});
