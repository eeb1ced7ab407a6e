// The device authorization grant (RFC 8628) end to end: a "TV" asks for a device code and polls the token
// endpoint while a person, in Chromium, enters the user code, signs in and consents.
import * as oidc from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBrowser, expectNoProblems, launchBrowser, newContext } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('a device without a keyboard', () => {
  let server: TestServer;
  let browser: Browser;
  let tv: oidc.Configuration;
  const email = 'viewer@example.com';
  const password = 'a quiet evening with the lights down';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    await server.services.clients.addClient({ clientId: 'tv', name: 'Living-room TV', public: true, redirectUris: [], grantTypes: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], scope: 'openid email offline_access' });
    const account = await server.services.accounts.insertAccount({ email, status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
    await server.services.consent.acceptDocuments(account.id, await server.services.consent.requiredDocuments(), { channel: 'test' });
    tv = await oidc.discovery(new URL(server.url), 'tv', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('gets tokens once the person enters the code and signs in', async () => {
    const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid email' });
    expect(device.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    const polling = oidc.pollDeviceAuthorizationGrant(tv, { ...device, interval: 1 });

    const { page, problems } = await newContext(browser);
    await page.goto(device.verification_uri);
    await page.getByRole('heading', { name: 'Connect a device' }).waitFor();
    await page.getByLabel('Code shown on your device').fill(device.user_code.toLowerCase().replace('-', ''));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Connect Living-room TV?' }).waitFor();
    expect(await page.locator('.device-code').textContent()).toContain(device.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Living-room TV wants to access your account' }).waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Your device is connected' }).waitFor();

    const tokens = await polling;
    expect(tokens.claims()!.sub).toBeTruthy();
    const info = await oidc.fetchUserInfo(tv, tokens.access_token, tokens.claims()!.sub);
    expect(info.email).toBe(email);
    expectNoProblems(problems);
  });

  it('refuses a wrong code with a clear message, and the device is told when the person cancels', async () => {
    const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid' });
    const polling = oidc.pollDeviceAuthorizationGrant(tv, { ...device, interval: 1 }).then(() => 'granted', (error: { error?: string }) => error.error);

    const { page } = await newContext(browser);
    await page.goto(device.verification_uri);
    await page.getByLabel('Code shown on your device').fill('BCDF-GHJK');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').filter({ hasText: 'That code is not right' }).waitFor();

    await page.getByLabel('Code shown on your device').fill(device.user_code);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await polling).toBe('access_denied');
  });
});
