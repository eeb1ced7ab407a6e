// The reader's language: the app's ui_locales, then the browser's Accept-Language, then English; the
// switcher's choice beats them all and keeps the journey where it is; <html lang dir> follows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBrowser } from '../../support/journey.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

const htmlTag = (html: string) => /<html[^>]*>/.exec(html)?.[0];

describe('page language', () => {
  it('follows ui_locales, right to left for Arabic', async () => {
    const browser = newBrowser();
    const page = await browser.get((await app.authorizationUrl({ ui_locales: 'ar en' })).url);
    expect(htmlTag(page.html)).toBe('<html lang="ar" dir="rtl">');
    expect(page.html).toContain('<h1>تسجيل الدخول</h1>');
  });

  it('takes the first supported tag of ui_locales, by its primary subtag', async () => {
    const page = await newBrowser().get((await app.authorizationUrl({ ui_locales: 'zz-ZZ pt-BR de' })).url);
    expect(htmlTag(page.html)).toBe('<html lang="pt" dir="ltr">');
  });

  it('follows Accept-Language when the app asks for none', async () => {
    const browser = newBrowser();
    browser.headers = () => ({ 'accept-language': 'fr-CH;q=0.4, pl;q=0.9, xx' });
    const page = await browser.get((await app.authorizationUrl()).url);
    expect(htmlTag(page.html)).toBe('<html lang="pl" dir="ltr">');
    expect(page.html).toContain('Zaloguj się');
  });

  it('falls back to English for a language Foyer does not speak', async () => {
    const browser = newBrowser();
    browser.headers = () => ({ 'accept-language': 'xx-YY' });
    const page = await browser.get((await app.authorizationUrl({ ui_locales: 'tlh' })).url);
    expect(htmlTag(page.html)).toBe('<html lang="en" dir="ltr">');
  });

  it('the switcher changes the language mid-journey and the interaction goes on', async () => {
    const browser = newBrowser();
    const first = await browser.get((await app.authorizationUrl({ ui_locales: 'ar' })).url);
    const german = /<a href="([^"]+)" lang="de"/.exec(first.html)?.[1]?.replaceAll('&#x3D;', '=');
    expect(german).toMatch(/^\/language\/de\?next=/);
    const switched = await browser.get(new URL(german!, server.url).href);
    expect(switched.url).toBe(first.url);
    expect(htmlTag(switched.html)).toBe('<html lang="de" dir="ltr">');
    expect(switched.html).toContain('<h1>Anmelden</h1>');
    // The same interaction goes on, now in German, the choice beating the app's ui_locales.
    const password = await browser.submit(switched, '/identify', { email: 'someone@example.com' });
    expect(password.status).toBe(200);
    expect(htmlTag(password.html)).toBe('<html lang="de" dir="ltr">');
  });

  it('a validation error is in the reader\'s language', async () => {
    const browser = newBrowser();
    browser.headers = () => ({ 'accept-language': 'ru' });
    const first = await browser.get((await app.authorizationUrl()).url);
    const refused = await browser.submit(first, '/identify', { email: 'not an address' });
    expect(refused.status).toBe(400);
    expect(htmlTag(refused.html)).toBe('<html lang="ru" dir="ltr">');
    // After a form post the switcher leads back to the journey's current step.
    const english = /<a href="([^"]+)" lang="en"/.exec(refused.html)?.[1]?.replaceAll('&#x3D;', '=');
    const back = await browser.get(new URL(english!, server.url).href);
    expect(back.status).toBe(200);
    expect(back.html).toContain('<h1>Sign in</h1>');
  });

  it('refuses to lead anywhere but this site, and ignores an unknown tag', async () => {
    const away = await fetch(new URL('/language/de?next=//evil.example/x', server.url), { redirect: 'manual' });
    expect(away.status).toBe(303);
    expect(away.headers.get('location')).toBe('/');
    const unknown = await fetch(new URL('/language/xx-<script>?next=/account', server.url), { redirect: 'manual' });
    expect(unknown.status).toBe(303);
    expect(unknown.headers.get('location')).toBe('/account');
    expect(unknown.headers.getSetCookie()).toEqual([]);
  });

  it('error pages speak the language too', async () => {
    const page = await fetch(new URL('/no-such-page', server.url), { headers: { accept: 'text/html', 'accept-language': 'es' } });
    expect(page.status).toBe(404);
    expect(htmlTag(await page.text())).toBe('<html lang="es" dir="ltr">');
  });
});

it('discovery lists the languages the pages speak', async () => {
  const metadata = await (await fetch(new URL('/.well-known/openid-configuration', server.url))).json() as { ui_locales_supported?: string[] };
  expect(metadata.ui_locales_supported).toEqual(['en', 'ar', 'ru', 'pl', 'pt', 'de', 'fr', 'es']);
});
