// Progressive profiling in Chromium: the sign-up asks two fields (labelled, with help), a bad answer
// re-renders with the input kept, the demo app receives the names; the next visit asks the next fields
// and "Not now" goes straight on; the hosted capture form signs up without a password, confirmed by mail;
// the form embedded in a brand's page on another site works there and nowhere else;
// an app that requires a field says so, marks the scope required on its consent page and offers no "Not now".
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoJson, describeWithBrowser, expectNoProblems, expectToReach, launchBrowser, newContext, signInWithPassword, signUpWithMailedCode, startDemoSignIn } from '../../support/browser.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

describeWithBrowser('progressive profiling in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  const email = 'hedy@example.com';
  const password = 'a frequency hopping through the night';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({
      demo: true,
      profile: {
        fields: [
          { key: 'given_name', label: { en: 'First name' }, ask: 'signup', priority: 2, validation: { maxLength: 40 } },
          { key: 'family_name', label: { en: 'Last name' }, ask: 'signup', priority: 1 },
          { key: 'birthdate', type: 'date', label: { en: 'Date of birth' }, help: { en: 'For birthday offers.' }, ask: { fromVisit: 2 } },
          { key: 'gender', type: 'single_choice', label: { en: 'Gender' }, ask: { fromVisit: 2 }, options: [{ value: 'female', label: { en: 'Female' } }, { value: 'male', label: { en: 'Male' } }, { value: 'other', label: { en: 'Another' } }] },
        ],
      },
    }), launchBrowser()]);
    ({ context, page, problems } = await newContext(browser));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('asks the sign-up fields after consent, keeps the input on an error, and the app receives them', async () => {
    await startDemoSignIn(page, server.url);
    await signUpWithMailedCode(page, server.smtp, email, password);
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.getByRole('heading', { name: 'A little more about you' }).waitFor();
    expect(await page.getByLabel('Date of birth').count()).toBe(0);
    await page.getByLabel('First name').fill('H'.repeat(41));
    await page.getByLabel('Last name').fill('Lamarr');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByText('First name must be at most 40 characters.').waitFor();
    expect(await page.getByLabel('Last name').inputValue()).toBe('Lamarr');
    expect(await page.getByLabel('First name').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('First name').fill('Hedy');
    await page.getByRole('button', { name: 'Save and continue' }).click();

    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    expect(await demoJson(page, 'userinfo')).toMatchObject({ given_name: 'Hedy', family_name: 'Lamarr', name: 'Hedy Lamarr' });
    expectNoProblems(problems);
  });

  it('the next visit asks the next fields; "Not now" goes on to the app', async () => {
    const account = (await server.services.accounts.findAccountByEmail(email))!;
    await server.dbHandle.db('profile_visits').where({ account_id: account.id }).update({ last_visit_at: new Date(Date.now() - 13 * 3_600_000) });
    await context.clearCookies();
    await startDemoSignIn(page, server.url);
    await signInWithPassword(page, email, password);
    await page.getByRole('heading', { name: 'A little more about you' }).waitFor();
    expect(await page.getByLabel('Date of birth').getAttribute('type')).toBe('date');
    expect(await page.getByText('For birthday offers.').isVisible()).toBe(true);
    const gender = page.getByRole('group', { name: 'Gender' });
    expect(await gender.getByLabel('Another').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Not now' }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app after "Not now"');
    expect(await server.dbHandle.db('profile_skips').where({ account_id: account.id })).toHaveLength(2);
    expectNoProblems(problems);
  });

  it('the hosted capture form: an email and a purpose, confirmed by the mailed link, without a password', async () => {
    await server.services.clients.addClient({ clientId: 'news', name: 'Brand News', public: true, redirectUris: ['https://brand.example/cb'], scope: 'openid capture' });
    const visitor = await newContext(browser);
    const form = visitor.page;
    await form.goto(`${server.url}/capture?client_id=news&purpose=newsletter`);
    await form.getByRole('heading', { name: 'Stay in touch with Brand News' }).waitFor();
    await form.getByLabel('Email', { exact: true }).fill('grace@example.com');
    await form.getByLabel(/First name/).fill('Grace');
    await form.getByRole('button', { name: 'Sign me up' }).click();
    // The message shows beside its field (and again in the summary at the top, linked to it).
    await form.locator('#consent-error').getByText('Tick the box to agree').waitFor();
    expect(await form.getByLabel('Email', { exact: true }).inputValue()).toBe('grace@example.com');
    await form.getByLabel(/Send me news and offers by email/).check();
    await form.getByRole('button', { name: 'Sign me up' }).click();
    await form.getByRole('heading', { name: 'Check your email' }).waitFor();
    const mail = await server.smtp.waitForMail('grace@example.com', (m) => m.subject.includes('Confirm your email'));
    await form.goto(/(http:\/\/\S+\/capture\/confirm\/[\w-]+)/.exec(mail.text)![1]!);
    await form.getByRole('button', { name: 'Confirm' }).click();
    await form.getByRole('heading', { name: 'Your email is confirmed' }).waitFor();
    expect(await server.services.accounts.findAccountByEmail('grace@example.com')).toMatchObject({ status: 'lite', emailVerified: true, passwordHash: null });
    expectNoProblems(visitor.problems);
    await visitor.context.close();
  });
});

describeWithBrowser('a required profile field in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({
      demo: true,
      profile: { maxOptionalPerVisit: 0, fields: [{ key: 'birthdate', type: 'date', label: { en: 'Date of birth' }, help: { en: 'To check you are old enough.' } }] },
    }), launchBrowser()]);
    // The demo app requires the birthdate (set before anything has read the client).
    await server.dbHandle.db('clients').where({ client_id: 'demo' })
      .update({ metadata: server.dbHandle.db.raw(`metadata || '{"foyer_profile_required": ["birthdate"]}'::jsonb`) });
    ({ page, problems } = await newContext(browser));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('names the app and the reason, keeps the profile scope required, and continues once given', async () => {
    const email = 'mary@example.com';
    const password = 'a mathematician by the sea';
    await startDemoSignIn(page, server.url);
    await signUpWithMailedCode(page, server.smtp, email, password);

    const receives = page.getByRole('group', { name: 'Demo app will receive' });
    expect(await receives.getByLabel(/Your name and basic profile/).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Allow' }).click();

    await page.getByRole('heading', { name: 'Demo app needs a few details' }).waitFor();
    expect(await page.getByText('Demo app needs this to continue.').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Not now' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await page.getByText('Date of birth is needed by Demo app.').waitFor();
    await page.getByLabel(/Date of birth/).fill('1990-04-25');
    await page.getByRole('button', { name: 'Save and continue' }).click();
    await expectToReach(page, (url) => url.pathname === '/demo', 'the demo app signed in');
    expect(await demoJson(page, 'userinfo')).toMatchObject({ birthdate: '1990-04-25' });
    expectNoProblems(problems);
  });
});

describeWithBrowser('the capture form embedded in a brand\'s page', () => {
  let server: TestServer;
  let browser: Browser;
  let brand: Server;
  let stranger: Server;

  /** A site on 127.0.0.1 (another site than Foyer's localhost) whose page frames the capture form. */
  const site = (issuer: string) => createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Brand</title><h1>Brand</h1><iframe id="signup" title="Sign up" width="500" height="700" src="${issuer}/capture?client_id=news"></iframe>`);
  });
  const listen = async (s: Server) => {
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    brand = site(server.url);
    stranger = site(server.url);
    const brandOrigin = await listen(brand);
    await listen(stranger);
    await server.services.clients.addClient({ clientId: 'news', name: 'Brand News', public: true, redirectUris: [`${brandOrigin}/cb`], scope: 'openid capture' });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    brand?.close();
    stranger?.close();
  });

  it('works inside the brand\'s page (no cookies needed) and is refused inside another site\'s', async () => {
    const { page, problems } = await newContext(browser);
    await page.goto(`http://127.0.0.1:${(brand.address() as AddressInfo).port}/`);
    const form = page.frameLocator('#signup');
    await form.getByRole('heading', { name: 'Stay in touch with Brand News' }).waitFor();
    await form.getByLabel('Email', { exact: true }).fill('ida@example.com');
    await form.getByLabel(/Send me news and offers by email/).check();
    await form.getByRole('button', { name: 'Sign me up' }).click();
    await form.getByRole('heading', { name: 'Check your email' }).waitFor();
    await server.smtp.waitForMail('ida@example.com', (m) => m.subject.includes('Confirm your email'));
    expectNoProblems(problems);

    const other = await newContext(browser);
    const blocked: string[] = [];
    other.page.on('console', (m) => blocked.push(m.text()));
    await other.page.goto(`http://127.0.0.1:${(stranger.address() as AddressInfo).port}/`, { waitUntil: 'load' });
    await expect.poll(() => blocked.some((text) => /frame-ancestors/.test(text))).toBe(true);
    expect(await other.page.frameLocator('#signup').getByRole('heading', { name: /Stay in touch/ }).count()).toBe(0);
    await other.context.close();
  });
});
