// The account pages speak the reader's language: Accept-Language (Arabic right to left, Polish), and the
// customer's saved language, which outranks Accept-Language, is kept as the `locale` profile value and
// reaches apps as the `locale` claim under the release rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'lang-app', name: 'Lang app', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

const htmlTag = (html: string) => /<html[^>]*>/.exec(html)?.[0];

async function signedIn(email: string, acceptLanguage: string): Promise<{ browser: FormBrowser; id: string }> {
  const id = await createPasswordAccount(server, email, password);
  const browser = new FormBrowser();
  browser.headers = () => ({ 'accept-language': acceptLanguage });
  await signInToAccount(server, browser, email, password);
  return { browser, id };
}

describe('account pages in the reader’s language', () => {
  it('reads Arabic right to left, with Arabic words on every section', async () => {
    const { browser } = await signedIn('arabic@example.com', 'ar');
    const overview = await browser.get(`${server.url}/account/overview`);
    expect(htmlTag(overview.html)).toBe('<html lang="ar" dir="rtl">');
    expect(overview.html).toContain('<h1>حسابك</h1>');
    expect(overview.html).toContain('>الأمان</a>');
    expect(overview.html).not.toContain('Change your email address');
    for (const [section, title] of [['security', 'الأمان'], ['sessions', 'الجلسات والأجهزة'], ['apps', 'التطبيقات المتصلة'], ['privacy', 'بياناتك'], ['consents', 'الخصوصية والموافقة'], ['profile', 'ملفك الشخصي']]) {
      const page = await browser.get(`${server.url}/account/${section}`);
      expect(page.status, section).toBe(200);
      expect(htmlTag(page.html), section).toBe('<html lang="ar" dir="rtl">');
      expect(page.html, section).toContain(`<h1>${title}</h1>`);
    }
  });

  it('reads Polish from Accept-Language, dates included', async () => {
    const { browser } = await signedIn('polish@example.com', 'pl-PL, en;q=0.5');
    const overview = await browser.get(`${server.url}/account/overview`);
    expect(htmlTag(overview.html)).toBe('<html lang="pl" dir="ltr">');
    expect(overview.html).toContain('<h1>Twoje konto</h1>');
    expect(overview.html).toContain('Zmień adres e-mail');
    const year = new Date().getUTCFullYear();
    const month = new Intl.DateTimeFormat('pl', { month: 'short', timeZone: 'UTC' }).format(new Date());
    expect(overview.html).toContain(`${month} ${year}`);
    const security = await browser.get(`${server.url}/account/security`);
    expect(security.html).toContain('Weryfikacja dwuetapowa');
    expect(security.html).toMatch(/\d+ niewykorzystan\S+ kod/);
    const sessions = await browser.get(`${server.url}/account/sessions`);
    expect(sessions.html).toContain('ta przeglądarka');
  });
});

describe('the saved language', () => {
  it('is chosen from the eight languages, outranks Accept-Language, and shows as selected', async () => {
    const { browser, id } = await signedIn('saved@example.com', 'pl');
    let page = await browser.get(`${server.url}/account/overview`);
    expect(page.html).toContain('<option value="pl" lang="pl" selected>Polski</option>');
    expect([...page.html.matchAll(/<option value="(\w+)"/g)].map((m) => m[1])).toEqual(['en', 'ar', 'ru', 'pl', 'pt', 'de', 'fr', 'es']);

    const refused = await browser.submit(page, '/account/overview/language', { locale: 'xx' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Wybierz jeden z języków z listy.');
    expect(await server.services.profile.savedLocale(id)).toBeUndefined();

    page = await browser.submit(page, '/account/overview/language', { locale: 'de' });
    expect(page.status).toBe(200);
    expect(htmlTag(page.html)).toBe('<html lang="de" dir="ltr">');
    expect(page.html).toContain('Ihre Sprache wurde gespeichert.');
    expect(page.html).toContain('<option value="de" lang="de" selected>Deutsch</option>');
    expect(await server.services.profile.savedLocale(id)).toBe('de');
    // Still German on the next page, though the browser asks for Polish.
    expect((await browser.get(`${server.url}/account/security`)).html).toContain('<h1>Sicherheit</h1>');
    // A new browser asking for Polish gets German once the customer is known.
    const other = new FormBrowser();
    other.headers = () => ({ 'accept-language': 'pl' });
    expect((await signInToAccount(server, other, 'saved@example.com', password)).html).toContain('<h1>Ihr Konto</h1>');
    // The change is in the account's record of changes, like any profile value.
    expect((await server.services.events.listEventsOfAccount(id)).map((e) => e.type)).toContain('profile.updated');
  });

  it('reaches an app as the locale claim, under the release rule', async () => {
    const { id } = await signedIn('claim@example.com', 'en');
    await server.services.profile.saveLocale(id, 'fr');
    const browser = newBrowser();
    const start = await app.authorizationUrl();
    const page = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(start.url), 'claim@example.com', password));
    expect(page.url.startsWith(CALLBACK)).toBe(true);
    const tokens = await app.exchange(page.url, start);
    expect(tokens.claims()?.sub).toBe(id);
    const userinfo = await fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } }).then((r) => r.json()) as Record<string, unknown>;
    expect(userinfo.locale).toBe('fr');
  });
});
