// A brand's default language is the last word on a page's language: it speaks when neither the reader's
// choice, the app's ui_locales, a saved locale nor the browser's Accept-Language names one Foyer speaks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { newBrowser } from '../../support/journey.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let polishShop: RelyingParty;
let plainShop: RelyingParty;

beforeAll(async () => {
  server = await startTestServer();
  const { call } = await createAdminApi(server);
  const colours = { accent: '#0b6e4f', text: '#111111', background: '#ffffff' };
  expect((await call('/brands/wisla', { method: 'PUT', body: { name: 'Wisła', colours, defaultLanguage: 'pl' } })).status).toBe(201);
  polishShop = await createRelyingParty(server, { clientId: 'wisla-shop', name: 'Wisła shop' });
  expect((await call('/brands/wisla/clients/wisla-shop', { method: 'PUT' })).status).toBe(200);
  plainShop = await createRelyingParty(server, { clientId: 'plain-shop', name: 'Plain shop' });
});
afterAll(async () => server?.stop());

const langOf = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];

describe('a brand\'s default language', () => {
  it('speaks when the browser names no language Foyer speaks', async () => {
    const browser = newBrowser();
    browser.headers = () => ({ 'accept-language': 'xx' });
    const page = await browser.get((await polishShop.authorizationUrl()).url);
    expect(langOf(page.html)).toBe('pl');
    expect(page.html).toContain('Zaloguj się');
  });

  it('gives way to the browser\'s Accept-Language and to the app\'s ui_locales', async () => {
    const browser = newBrowser();
    browser.headers = () => ({ 'accept-language': 'de' });
    expect(langOf((await browser.get((await polishShop.authorizationUrl()).url)).html)).toBe('de');
    expect(langOf((await newBrowser().get((await polishShop.authorizationUrl({ ui_locales: 'fr' })).url)).html)).toBe('fr');
  });

  it('stays with its own brand: an app of the default brand reads English', async () => {
    const browser = newBrowser();
    browser.headers = () => ({ 'accept-language': 'xx' });
    expect(langOf((await browser.get((await plainShop.authorizationUrl()).url)).html)).toBe('en');
  });
});
