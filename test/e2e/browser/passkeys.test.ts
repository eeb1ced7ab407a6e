// Passkeys in Chromium with its virtual authenticator (CDP WebAuthn domain): sign up with a password,
// accept the "Sign in faster next time" offer and create a passkey; sign in with it in a fresh browser
// (same credential imported) without typing anything; a captured assertion replayed is refused; "Not
// now" is not asked again.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { demoJson, describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, signInWithPassword, startDemoSignIn } from '../../support/browser.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

describeWithBrowser('passkeys in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const email = 'ada@example.com';
  const password = 'a passphrase nobody would guess';
  let credential: VirtualCredential;
  let capturedAssertion: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ demo: true }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A fresh browser with a platform authenticator that verifies the user (as a phone or laptop does). */
  async function browserWithAuthenticator(): Promise<{ context: BrowserContext; page: Page; problems: string[]; cdp: CDPSession; authenticatorId: string }> {
    const fresh = await newContext(browser);
    contexts.push(fresh.context);
    const cdp = await fresh.context.newCDPSession(fresh.page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    return { ...fresh, cdp, authenticatorId };
  }

  /** Opens the demo's sign-in and waits until the page told Foyer this browser can hold a passkey. */
  async function startSignInReportingCapability(page: Page): Promise<void> {
    const reported = page.waitForResponse((r) => r.url().endsWith('/passkey/capable') && r.status() === 204);
    await startDemoSignIn(page, server.url);
    await reported;
  }

  it('after a password sign-up, offers a passkey and creates one on the device', async () => {
    const { page, problems, cdp, authenticatorId } = await browserWithAuthenticator();
    await startSignInReportingCapability(page);
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('I accept the terms of service and the privacy policy').check();
    await page.getByRole('button', { name: 'Create account' }).click();
    const mail = await server.smtp.waitForMail(email, (m) => m.subject.includes('code'));
    await page.getByLabel('Code').fill(codeFrom(mail));
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'Sign in faster next time' }).waitFor();
    expect(await page.getByRole('button', { name: 'Not now' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    expect((await demoJson(page, 'id-token-claims')).amr).toEqual(['pwd']);

    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId }) as { credentials: VirtualCredential[] };
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    credential = credentials[0]!;
    const stored = await server.dbHandle.db('passkeys').select('id', 'account_id', 'name');
    expect(stored).toEqual([expect.objectContaining({ id: Buffer.from(credential.credentialId, 'base64').toString('base64url'), name: 'Passkey on Linux' })]);
    expectNoProblems(problems);
  });

  /** Keeps the exported credential's signature counter current, so the next import counts on from it. */
  async function exportCredential(cdp: CDPSession, authenticatorId: string): Promise<void> {
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId }) as { credentials: VirtualCredential[] };
    credential = credentials[0]!;
  }

  async function expectSignedInWithPasskey(page: Page): Promise<void> {
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in with a passkey');
    const claims = await demoJson(page, 'id-token-claims');
    expect(claims.sub).toBe((await server.services.accounts.findAccountByEmail(email))!.id);
    expect(claims.amr).toEqual(expect.arrayContaining(['user']));
    expect(claims.amr).toEqual(expect.arrayContaining([expect.stringMatching(/^(hwk|swk)$/)]));
  }

  it('signs in from the email field\'s passkey autofill in a fresh browser, typing nothing', async () => {
    const { page, problems, cdp, authenticatorId } = await browserWithAuthenticator();
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/passkey/authenticate')) capturedAssertion = new URLSearchParams(request.postData() ?? '').get('response') ?? '';
    });
    await page.goto(`${server.url}/demo`);
    // Chromium's virtual authenticator answers the conditional (autofill) request by itself, as a person picking the passkey would.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectSignedInWithPasskey(page);
    expect(JSON.parse(capturedAssertion)).toMatchObject({ type: 'public-key', response: { userHandle: expect.any(String) } });
    expect((await server.dbHandle.db('passkeys').first()).last_used_at).not.toBeNull();
    await exportCredential(cdp, authenticatorId);
    expectNoProblems(problems);
  });

  it('signs in with the "Sign in with a passkey" button', async () => {
    const { context, page, problems, cdp, authenticatorId } = await browserWithAuthenticator();
    // A browser without passkey autofill (so the virtual authenticator cannot answer before the click).
    await context.addInitScript(() => {
      if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });
    await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    await startDemoSignIn(page, server.url);
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSignedInWithPasskey(page);
    expectNoProblems(problems);
  });

  it('refuses the captured assertion replayed in another sign-in, and signs nobody in', async () => {
    const { context, page } = await newContext(browser);
    contexts.push(context);
    await startDemoSignIn(page, server.url);
    await page.locator('form[data-passkey-sign-in] input[name=response]').evaluate((input, value) => ((input as HTMLInputElement).value = value), capturedAssertion);
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/passkey/authenticate')),
      page.locator('form[data-passkey-sign-in]').evaluate((form) => (form as HTMLFormElement).submit()),
    ]);
    expect(refused.status()).toBe(401);
    expect(await page.getByRole('alert').first().innerText()).toContain('That passkey request has expired or was already used');
    expect(await page.getByLabel('Email').isVisible()).toBe(true);
    expect((await context.cookies()).map((c) => c.name)).not.toContain('_session');
  });

  it('a password sign-in on an account without a second factor is not offered a passkey (it would add one on a password alone)', async () => {
    const other = 'grace@example.com';
    const added = await runCommand(['users', 'add', '--email', other, '--password', password, '--verified'], { services: server.services });
    expect(added.exitCode, added.stderr).toBe(0);
    const first = await browserWithAuthenticator();
    const offered: string[] = [];
    first.page.on('framenavigated', (frame) => {
      if (frame.url().includes('/passkey/offer')) offered.push(frame.url());
    });
    await startSignInReportingCapability(first.page);
    await signInWithPassword(first.page, other, password);
    await first.page.getByLabel('I accept these terms').check();
    await first.page.getByRole('button', { name: 'Continue' }).click();
    await first.page.getByRole('button', { name: 'Allow' }).click();
    await expectToReach(first.page, (url) => url.pathname === '/demo', 'the demo app, with no passkey offer');
    expect(offered).toEqual([]);
    const { credentials } = await first.cdp.send('WebAuthn.getCredentials', { authenticatorId: first.authenticatorId }) as { credentials: unknown[] };
    expect(credentials).toEqual([]);
    expectNoProblems(first.problems);
  });
});
