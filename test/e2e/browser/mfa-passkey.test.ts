// A passkey as the second step in Chromium (virtual authenticator): the demo app requires MFA; an account
// with a password and a registered, non-discoverable passkey signs in with the password, then "Use a
// passkey" on the two-step page (the options list the account's passkey). The demo app shows acr 2fa.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { DEMO_CLIENT_ID, demoRedirectUris } from '../../../src/demo/routes.ts';
import { demoJson, describeWithBrowser, expectNoProblems, launchBrowser, newContext, signInWithPassword, startDemoSignIn, acceptTermsAndConsentToDemo } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('a passkey as the second step in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const email = 'lin@example.com';
  const password = 'a kite above the salt marsh';
  const credentialId = randomBytes(16);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ demo: true }), launchBrowser()]);
    const { redirectUri, postLogoutRedirectUri } = demoRedirectUris(server.url);
    await server.services.clients.removeClient(DEMO_CLIENT_ID);
    await server.services.clients.addClient({ clientId: DEMO_CLIENT_ID, name: 'Demo app', public: true, redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri], scope: 'openid email profile', mfa: 'required' });
    const added = await runCommand(['users', 'add', '--email', email, '--password', password, '--verified'], { services: server.services });
    expect(added.exitCode, added.stderr).toBe(0);
    // The account's passkey, as registered earlier on a security key: not discoverable, so only a request naming it finds it.
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]);
    await server.dbHandle.db('passkeys').insert({
      id: credentialId.toString('base64url'), account_id: (await server.services.accounts.findAccountByEmail(email))!.id, user_handle: randomBytes(32).toString('base64url'),
      public_key: Buffer.from(isoCBOR.encode(cose as never)).toString('base64url'), counter: 0, transports: JSON.stringify(['usb']), device_type: 'singleDevice', backed_up: false, name: 'Security key',
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs in with the password and then the passkey, and the ID token says acr 2fa with amr pwd, hwk, mfa', async () => {
    const { page, problems, context } = await newContext(browser);
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'usb', hasResidentKey: false, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    await cdp.send('WebAuthn.addCredential', {
      authenticatorId,
      credential: { credentialId: credentialId.toString('base64'), isResidentCredential: false, rpId: 'localhost', privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), signCount: 0 },
    });

    await startDemoSignIn(page, server.url);
    await signInWithPassword(page, email, password);
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    // Read the options on their way to the page (the page navigates on before a response body could be read).
    let requested: { allowCredentials: { id: string }[]; userVerification: string } | undefined;
    await page.route('**/mfa/passkey/options', async (route) => {
      const response = await route.fetch();
      requested = await response.json() as typeof requested;
      await route.fulfill({ response });
    });
    await page.getByRole('button', { name: 'Use a passkey' }).click();

    // The rest of the journey follows the second factor: terms (the account came from the CLI), consent.
    await acceptTermsAndConsentToDemo(page);
    expect(requested?.allowCredentials.map((c) => c.id)).toEqual([credentialId.toString('base64url')]);
    expect(requested?.userVerification).toBe('preferred');
    const claims = await demoJson(page, 'id-token-claims');
    expect(claims.acr).toBe('urn:foyer:acr:2fa');
    expect(claims.amr).toEqual(['pwd', 'hwk', 'user', 'mfa']);
    const stored = await server.dbHandle.db('passkeys').where({ id: credentialId.toString('base64url') }).first();
    expect(Number(stored.counter)).toBeGreaterThan(0);
    expect(stored.last_used_at).not.toBeNull();
    expectNoProblems(problems);
    await context.close();
  });
});
