// WCAG 2.1 A/AA in Chromium (axe-core) on the pages accessibility.test.ts does not reach: the second
// factor (TOTP set-up and check, email code, recovery codes), the device confirmation, the mailed sign-in
// link, social sign-in (a second oidc-provider on loopback) and its account link by mailed code, the capture
// and subscription links, the account's sub-pages, the sign-in of an account waiting for erasure, the admin
// refusals, a customer action's confirmation and the order of the profile fields — in English and Arabic, at
// 320 px and desktop, with no horizontal scrolling at 320 px. One server and one browser for all; selectors by id, name and form action.
import * as oidc from 'openid-client';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { auditPage, DESKTOP } from '../../support/accessibility.ts';
import { describeWithBrowser, expectToReach, launchBrowser } from '../../support/browser.ts';
import { codeFrom, type CapturedMail } from '../../support/smtp-capture.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startUpstream, UPSTREAM_CLIENT, type Upstream } from '../../integration/federation/upstream.ts';

const LANGUAGES = [
  { tag: 'en', locale: 'en-GB', dir: 'ltr' },
  { tag: 'ar', locale: 'ar', dir: 'rtl' },
] as const;
type Language = (typeof LANGUAGES)[number];

describeWithBrowser('the other pages pass axe (WCAG 2.1 A/AA) in English and Arabic, at 320 px and desktop', () => {
  let server: TestServer;
  let browser: Browser;
  let upstream: Upstream;
  const password = 'a passphrase nobody would guess';
  // The relying app's redirect URI: on Foyer's origin (a 404 there), as the pages' form-action allows only it.
  let app = '';

  beforeAll(async () => {
    upstream = await startUpstream(Object.fromEntries(LANGUAGES.flatMap(({ tag }) => [
      [`new-${tag}`, { email: `social-new-${tag}@social.example`, email_verified: true, given_name: 'Ada', family_name: 'Lovelace' }],
      [`unverified-${tag}`, { email: `social-unverified-${tag}@social.example`, email_verified: false }],
      [`known-${tag}`, { email: `known-${tag}@example.com`, email_verified: true }],
    ])));
    [server, browser] = await Promise.all([startTestServer({
      demo: true, outboundAllowPrivate: true, admin: { requireSecondFactor: false },
      // Two fields for the admin's order page, never asked in a sign-in.
      profile: { fields: [{ key: 'given_name', label: { en: 'First name' }, ask: 'never' }, { key: 'family_name', label: { en: 'Last name' }, ask: 'never' }] },
      connectors: [{ id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email', 'profile'], enabled: true }],
    } as never), launchBrowser()]);
    upstream.register(`${server.url}/federation/callback`);
    app = `${server.url}/app-callback`;
    await server.services.clients.addClient({ clientId: 'strict', name: 'Strict app', public: true, redirectUris: [app], scope: 'openid email', mfa: 'required' });
    await server.services.clients.addClient({ clientId: 'plain', name: 'Plain app', public: true, redirectUris: [app], scope: 'openid email' });
    await server.services.clients.addClient({ clientId: 'news', name: 'Brand News', public: true, redirectUris: ['https://brand.example/cb'], scope: 'openid email capture' });
    await server.services.clients.addClient({ clientId: 'tv', name: 'Living-room TV', public: true, redirectUris: [], grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'], scope: 'openid email' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await upstream?.close();
  });

  async function account(email: string, role?: string): Promise<string> {
    const { id } = await server.services.accounts.insertAccount({ email, status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
    await server.services.consent.acceptDocuments(id, await server.services.consent.requiredDocuments(), { channel: 'test' });
    if (role) expect((await runCommand(['admins', 'add', email, '--role', role], { services: server.services })).exitCode).toBe(0);
    return id;
  }

  async function contextIn(language: Language): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: language.locale, viewport: DESKTOP });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(10_000);
    // The upstream's dev pages link a web font on the internet: answered empty, offline.
    await context.route((url) => url.hostname === 'fonts.googleapis.com', (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
    return { context, page: await context.newPage() };
  }

  async function audit(page: Page, language: Language, label: string, faults: string[]): Promise<void> {
    await page.waitForLoadState('load');
    expect(await page.locator('html').getAttribute('dir'), `${label}: <html dir> at ${page.url()}`).toBe(language.dir);
    faults.push(...await auditPage(page, `${language.tag} ${label}`));
  }

  /** Presses the form's button: its action ends with `action`, or, for `…/` (a token follows), contains it. */
  const submit = async (page: Page, action: string) => {
    await page.locator(`form[action${action.endsWith('/') ? '*' : '$'}="${action}"] button[type=submit]`).first().click();
    await page.waitForLoadState('load');
  };
  /** The first mail to `email` after the first `after` mails whose text matches. */
  async function mailTo(email: string, match: RegExp, after = 0): Promise<CapturedMail> {
    let found: CapturedMail | undefined;
    await expect.poll(() => (found = server.smtp.mails.slice(after).find((m) => m.to.includes(email) && match.test(m.text)))).toBeTruthy();
    return found!;
  }
  const linkIn = (text: string, path: string) => new RegExp(`(http://\\S+${path}[\\w.~-]+)`).exec(text)![1]!;

  /** Starts an authorization for a client at the first journey page. */
  async function authorize(page: Page, clientId: string): Promise<void> {
    const url = new URL(`${server.url}/auth`);
    url.search = new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid email', redirect_uri: app, code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256' }).toString();
    await page.goto(url.href);
    await page.waitForURL(/\/interaction\/[\w-]+$/);
  }

  async function password1(page: Page, email: string): Promise<void> {
    await page.locator('#email').fill(email);
    await submit(page, '/identify');
    await page.locator('#password').fill(password);
    await submit(page, '/password');
  }

  /** Answers the prompts after the credentials (terms, consent, the passkey offer) until `done`. */
  async function through(page: Page, done: (url: string) => boolean = (url) => url.startsWith(app)): Promise<void> {
    for (let step = 0; step < 6 && !done(page.url()); step++) {
      const has = (action: string) => page.locator(`form[action$="${action}"]`).count().then((n) => n > 0);
      if (await has('/terms')) await page.locator('#accept').check();
      const action = ['/terms', '/consent', '/passkey/offer/decline', '/mfa/continue'];
      const found = (await Promise.all(action.map(has))).indexOf(true);
      if (found < 0) throw new Error(`unexpected page ${page.url()}: ${(await page.content()).slice(0, 600)}`);
      await submit(page, action[found]!);
    }
    expect(done(page.url()), page.url()).toBe(true);
  }

  for (const language of LANGUAGES) {
    it(`the second factor, the device and the sign-in link (${language.tag})`, async () => {
      const faults: string[] = [];
      const email = `mfa-${language.tag}@example.com`;
      await account(email);
      let { context, page } = await contextIn(language);

      // First sign-in to a client that requires a second factor: email proof, TOTP set-up, recovery codes.
      await authorize(page, 'strict');
      await password1(page, email);
      await audit(page, language, 'second factor: confirm the email first', faults);
      await submit(page, '/mfa/setup/email/send');
      await page.locator('#code').waitFor();
      await audit(page, language, 'second factor: email code before set-up', faults);
      await page.locator('#code').fill(codeFrom(await mailTo(email, /\d{6}/)));
      await submit(page, '/mfa/setup/email');
      await page.locator('#manual-key').waitFor();
      await audit(page, language, 'second factor: TOTP set-up', faults);
      await page.locator('#code').fill('000000');
      await submit(page, '/mfa/setup');
      await audit(page, language, 'second factor: TOTP set-up with an error', faults);
      const secret = (await page.locator('#manual-key').innerText()).replace(/\s+/g, '');
      await page.locator('#code').fill(TOTP.generate({ secret: Secret.fromBase32(secret) }));
      await submit(page, '/mfa/setup');
      await audit(page, language, 'second factor: recovery codes', faults);
      await submit(page, '/mfa/continue');
      await through(page);
      await context.close();

      // Next sign-in: the TOTP check, the recovery code page, the email code.
      ({ context, page } = await contextIn(language));
      await authorize(page, 'strict');
      await password1(page, email);
      await page.locator('form[action$="/mfa/totp"]').waitFor();
      await audit(page, language, 'second factor: TOTP', faults);
      await page.locator('#code').fill('000000');
      await submit(page, '/mfa/totp');
      await audit(page, language, 'second factor: TOTP with an error', faults);
      await page.locator('a[href$="/mfa/recovery"]').first().click();
      await page.locator('form[action$="/mfa/recovery"]').waitFor();
      await audit(page, language, 'second factor: recovery code', faults);
      await page.locator('#code').fill('xxxxx-xxxxx');
      await submit(page, '/mfa/recovery');
      await audit(page, language, 'second factor: recovery code with an error', faults);
      await page.goto(page.url().replace(/\/mfa\/recovery$/, '/mfa'));
      const before = server.smtp.mails.length;
      await submit(page, '/mfa/email/send');
      await page.locator('form[action$="/mfa/email"]').waitFor();
      await audit(page, language, 'second factor: email code', faults);
      await page.locator('#code').fill(codeFrom(await mailTo(email, /\d{6}/, before)));
      await submit(page, '/mfa/email');
      await through(page);
      await context.close();

      // The device flow: the confirmation and the done page.
      const plain = `plain-${language.tag}@example.com`;
      await account(plain);
      ({ context, page } = await contextIn(language));
      const tv = await oidc.discovery(new URL(server.url), 'tv', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
      const device = await oidc.initiateDeviceAuthorization(tv, { scope: 'openid email' });
      await page.goto(device.verification_uri);
      await page.locator('#user_code').fill(device.user_code);
      await page.locator('form button[type=submit]').first().click();
      await page.waitForLoadState('load');
      await audit(page, language, 'device confirm', faults);
      await page.locator('form:has(input[name=confirm]) button[type=submit]').click();
      await password1(page, plain);
      await through(page, (url) => !url.includes('/interaction/'));
      await audit(page, language, 'device done', faults);
      await context.close();

      // The mailed sign-in link: opened in the browser that asked (a "Sign in" button), and in another (the code).
      ({ context, page } = await contextIn(language));
      await authorize(page, 'plain');
      await page.locator('#email').fill(plain);
      await submit(page, '/identify');
      await submit(page, '/email-code/send');
      const link = linkIn((await mailTo(plain, /\/signin\/link\//)).text, '/signin/link/');
      const tab = await context.newPage();
      await tab.goto(link);
      await audit(tab, language, 'sign-in link', faults);
      const other = await contextIn(language);
      await other.page.goto(link);
      await audit(other.page, language, 'sign-in link in another browser', faults);
      await other.context.close();
      await context.close();
      expect(faults, faults.join('\n')).toEqual([]);
    }, 600_000);

    it(`social sign-in, the capture and subscription links (${language.tag})`, async () => {
      const faults: string[] = [];
      let { context, page } = await contextIn(language);
      /** Through the upstream's own (oidc-provider dev) pages, back to Foyer. */
      const viaUpstream = async (login: string) => {
        await authorize(page, 'plain');
        await submit(page, '/federation/social');
        await expectToReach(page, (url) => url.origin === upstream.issuer, 'the upstream login page');
        await page.locator('input[name="login"]').fill(login);
        await page.locator('input[name="password"]').fill('any password');
        await page.locator('button[type=submit]').first().click();
        await page.waitForLoadState('load');
        if (new URL(page.url()).origin === upstream.issuer) await page.locator('button[type=submit]').first().click();
        await expectToReach(page, (url) => url.origin === server.url, 'Foyer again');
        await page.waitForLoadState('load');
      };
      // A new customer: the import page.
      await viaUpstream(`new-${language.tag}`);
      await page.locator('form[action$="/federation/import"]').waitFor();
      await audit(page, language, 'social: import', faults);
      await context.close();
      // An address the upstream has not confirmed: asked for one, then its code.
      ({ context, page } = await contextIn(language));
      await viaUpstream(`unverified-${language.tag}`);
      await page.locator('form[action$="/federation/email"]').waitFor();
      await audit(page, language, 'social: unconfirmed address', faults);
      await page.locator('#email').fill('not an address');
      await submit(page, '/federation/email');
      await audit(page, language, 'social: unconfirmed address with an error', faults);
      await page.locator('#email').fill(`social-confirmed-${language.tag}@example.com`);
      await submit(page, '/federation/email');
      await page.locator('form[action$="/federation/email/code"]').waitFor();
      await audit(page, language, 'social: email code', faults);
      await context.close();
      // An address that is already an account's: the link page.
      await account(`known-${language.tag}@example.com`);
      ({ context, page } = await contextIn(language));
      await viaUpstream(`known-${language.tag}`);
      await page.locator('form[action*="/federation/link"]').first().waitFor();
      await audit(page, language, 'social: link to the account', faults);
      await submit(page, '/federation/link/send-code');
      await page.locator('form[action$="/federation/link/code"]').waitFor();
      await audit(page, language, 'social: link to the account, code sent', faults);
      // A callback that belongs to no sign-in.
      await page.goto(`${server.url}/federation/callback?state=nothing&code=nothing`);
      await audit(page, language, 'social: error', faults);
      await context.close();

      // Capture: sent, the mailed link, done, and an expired link.
      ({ context, page } = await contextIn(language));
      const captured = `captured-${language.tag}@example.com`;
      await page.goto(`${server.url}/capture?client_id=news`);
      await page.locator('#email').fill(captured);
      for (const box of await page.locator('main form input[type=checkbox]').all()) await box.check();
      await submit(page, '/capture');
      await audit(page, language, 'capture: sent', faults);
      await page.goto(linkIn((await mailTo(captured, /\/capture\/confirm\//)).text, '/capture/confirm/'));
      await audit(page, language, 'capture: confirm', faults);
      await submit(page, '/capture/confirm/');
      await audit(page, language, 'capture: done', faults);
      await page.goto(`${server.url}/capture/confirm/no-such-token`);
      await audit(page, language, 'capture: expired link', faults);

      // A subscription: the mailed confirmation link, then the unsubscribe link of the next mail.
      const subscriber = `subscriber-${language.tag}@example.com`;
      await account(subscriber);
      await page.goto(`${server.url}/account/preferences`);
      await password1(page, subscriber);
      await through(page, (url) => url.includes('/account/preferences'));
      await page.locator('form[action$="/account/preferences"]:has(input[name=choice][value=in]) button[type=submit]').first().click();
      await page.waitForLoadState('load');
      await page.goto(linkIn((await mailTo(subscriber, /\/preferences\/confirm\//)).text, '/preferences/confirm/'));
      await audit(page, language, 'subscription: confirm', faults);
      await submit(page, '/preferences/confirm/');
      await audit(page, language, 'subscription: confirmed', faults);
      await page.goto(linkIn((await mailTo(subscriber, /\/preferences\/unsubscribe\//)).text, '/preferences/unsubscribe/'));
      await audit(page, language, 'unsubscribe', faults);
      await submit(page, '/preferences/unsubscribe/');
      await audit(page, language, 'unsubscribed', faults);
      await context.close();
      expect(faults, faults.join('\n')).toEqual([]);
    }, 600_000);


    it(`the account's sub-pages and the admin refusals (${language.tag})`, async () => {
      const faults: string[] = [];
      let { context, page } = await contextIn(language);
      const customer = `account-${language.tag}@example.com`;
      const customerId = await account(customer);
      // TOTP from the security page: the email proof first, then the key, then the recovery codes.
      await page.goto(`${server.url}/account/security/enrol-proof?next=totp`);
      await password1(page, customer);
      await through(page, (url) => url.includes('/account/security'));
      await audit(page, language, 'account: confirm it is you', faults);
      await submit(page, '/account/security/enrol-proof/send');
      await page.locator('#code').waitFor();
      await audit(page, language, 'account: confirm it is you, code sent', faults);
      await page.locator('#code').fill(codeFrom(await mailTo(customer, /\d{6}/)));
      await submit(page, '/account/security/enrol-proof');
      await page.locator('#manual-key').waitFor();
      await audit(page, language, 'account: TOTP', faults);
      await page.locator('#code').fill('000000');
      await submit(page, '/account/security/totp');
      await audit(page, language, 'account: TOTP with an error', faults);
      const secret = (await page.locator('#manual-key').innerText()).replace(/\s+/g, '');
      await page.locator('#code').fill(TOTP.generate({ secret: Secret.fromBase32(secret) }));
      await submit(page, '/account/security/totp');
      await audit(page, language, 'account: recovery codes', faults);
      // Erasure asked, its mailed "keep my account" link, kept.
      await page.goto(`${server.url}/account/privacy`);
      await page.locator('#confirm').check();
      await submit(page, '/account/privacy/erase');
      await audit(page, language, 'account: erasure asked', faults);
      // Signing in during the grace period: the page that offers to cancel the erasure.
      await authorize(page, 'plain');
      await password1(page, customer);
      await page.locator('form[action$="/erasure/cancel"]').waitFor();
      await audit(page, language, 'sign-in while erasure is pending', faults);
      await page.goto(linkIn((await mailTo(customer, /\/account\/erasure\/cancel\//)).text, '/account/erasure/cancel/'));
      await audit(page, language, 'account: keep the account', faults);
      await submit(page, '/account/erasure/cancel/');
      await audit(page, language, 'account: kept', faults);
      // Asking for erasure ended the account's sessions: the page a sign-out lands on.
      await page.goto(`${server.url}/account/signed-out`);
      await audit(page, language, 'account: signed out', faults);
      // The mailed link into the account.
      await page.goto(`${server.url}/account`);
      await page.locator('#email').fill(customer);
      await submit(page, '/account/link');
      await page.goto(linkIn((await mailTo(customer, /\/account\/link\//)).text, '/account/link/'));
      await audit(page, language, 'account: sign-in link', faults);
      await context.close();

      // Admin pages: a customer refused, a viewer forbidden a change, an owner's confirmation, signed out.
      ({ context, page } = await contextIn(language));
      await page.goto(`${server.url}/admin`);
      await password1(page, customer);
      await through(page, (url) => url.includes('/admin'));
      await audit(page, language, 'admin: refused', faults);
      await context.close();
      const viewer = `viewer-${language.tag}@example.com`;
      await account(viewer, 'viewer');
      ({ context, page } = await contextIn(language));
      await page.goto(`${server.url}/admin/keys`);
      await password1(page, viewer);
      await through(page, (url) => url.includes('/admin/keys'));
      await submit(page, '/admin/keys/rotate');
      await audit(page, language, 'admin: forbidden', faults);
      await context.close();
      const owner = `owner-${language.tag}@example.com`;
      await account(owner, 'owner');
      ({ context, page } = await contextIn(language));
      await page.goto(`${server.url}/admin/keys`);
      await password1(page, owner);
      await through(page, (url) => url.includes('/admin/keys'));
      await submit(page, '/admin/keys/rotate');
      await audit(page, language, 'admin: confirm', faults);
      await page.goto(`${server.url}/admin/customers/${customerId}`);
      await submit(page, `/admin/customers/${customerId}/sign-out-everywhere`);
      await page.locator('form:has(input[name=confirm][value=yes])').waitFor();
      await audit(page, language, 'admin: confirm a customer action', faults);
      await page.goto(`${server.url}/admin/profile-fields/order`);
      await audit(page, language, 'admin: order of the profile fields', faults);
      await page.locator('form[action$="/admin/profile-fields/order"] button[value=down]').first().click();
      await page.waitForLoadState('load');
      await audit(page, language, 'admin: order of the profile fields, moved', faults);
      await submit(page, '/admin/logout');
      await audit(page, language, 'admin: signed out', faults);
      await context.close();
      expect(faults, faults.join('\n')).toEqual([]);
    }, 600_000);

  }
});
