// The admin edit pages in Chromium: an operator edits an app (RS256 ID tokens, private_key_jwt with a JWKS URI)
// and a profile field's collection rule on the pages, with the keyboard where a person would, sees a refusal
// summarised at the top with a link to its field, and finds each change in the admin API; every edit page is
// accessible.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { describeWithBrowser, expectAccessible, expectNoProblems, expectToReach, launchBrowser, newContext, signInWithPassword } from '../../support/browser.ts';
import { CALLBACK } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('the admin edit pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const password = 'a passphrase nobody would guess';
  const cli = (...argv: string[]) => runCommand(argv, { services: server.services });

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ admin: { requireSecondFactor: false }, profile: { fields: [{ key: 'given_name', label: { en: 'First name' }, ask: 'signup' }] } } as never),
      launchBrowser(),
    ]);
    await server.services.accounts.insertAccount({ email: 'operator-e2e@example.com', status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
    expect((await cli('admins', 'add', 'operator-e2e@example.com', '--role', 'operator')).exitCode).toBe(0);
    expect((await cli('clients', 'add', '--client-id', 'shop', '--name', 'Shop', '--redirect-uri', CALLBACK)).exitCode).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an operator edits an app and a profile field; the changes are in the admin API', async () => {
    const { context, page, problems } = await newContext(browser);
    await page.goto(`${server.url}/admin/clients`);
    await signInWithPassword(page, 'operator-e2e@example.com', password);
    const terms = page.getByLabel('I accept these terms');
    if (await terms.waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      await terms.check();
      await page.getByRole('button', { name: 'Continue' }).click();
    }
    await expectToReach(page, (url) => url.pathname === '/admin/clients', 'the apps page');
    await page.getByRole('link', { name: 'shop', exact: true }).click();
    await expectAccessible(page);

    // private_key_jwt without its JWKS URI: refused, summarised at the top, the link leading to the field.
    await page.getByLabel('ID token signing algorithm').selectOption('RS256');
    await page.getByLabel('Token endpoint authentication').selectOption('private_key_jwt');
    await page.getByRole('button', { name: 'Save app' }).click();
    const summary = page.locator('#error-summary');
    await summary.getByRole('link', { name: /private_key_jwt needs jwks_uri/ }).waitFor();
    await expectAccessible(page);
    await summary.getByRole('link', { name: /private_key_jwt needs jwks_uri/ }).click();
    expect(new URL(page.url()).hash).toBe('#client-token_endpoint_auth_method');
    // The form kept what was typed; the JWKS URI is typed and the form sent with Enter.
    expect(await page.getByLabel('ID token signing algorithm').inputValue()).toBe('RS256');
    await page.getByLabel(/JWKS URI/).fill('https://shop.example/jwks.json');
    await page.getByLabel(/JWKS URI/).press('Enter');
    await page.getByText('Saved.').waitFor();

    await page.goto(`${server.url}/admin/profile-fields`);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'given_name' }).click();
    await expectAccessible(page);
    await page.getByLabel('Asked', { exact: true }).selectOption('fromVisit');
    await page.getByLabel(/From visit number/).fill('2');
    await page.getByLabel(/^Priority/).fill('7');
    await page.getByRole('button', { name: 'Save field' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Saved.').waitFor();

    for (const path of ['/admin/clients/new', '/admin/profile-fields/new', '/admin/resources', '/admin/resources/new', '/admin/keys']) {
      await page.goto(`${server.url}${path}`);
      await expectAccessible(page);
    }
    await page.getByRole('button', { name: 'Rotate keys' }).click();
    await page.getByRole('button', { name: 'Yes, rotate the keys' }).waitFor();
    await expectAccessible(page);
    expectNoProblems(problems);
    await context.close();

    const api = await createAdminApi(server);
    const client = await api.call('/clients/shop');
    expect(client.body).toMatchObject({ id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://shop.example/jwks.json', redirect_uris: [CALLBACK] });
    const field = await api.call('/profile-fields/given_name');
    expect(field.body).toMatchObject({ definition: { ask: { fromVisit: 2 }, priority: 7, label: { en: 'First name' } } });
  });
});
