// The screenshots in the docs, rendered by Chromium from the running server: the sign-in page of two
// brands (each with its own logo, itself drawn by Chromium, and colours) and the same page in Arabic.
// Every run renders them and checks them; `npm run docs:screenshots` (UPDATE_SCREENSHOTS=1) also writes
// them to docs/images/.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { describeWithBrowser, launchBrowser } from '../../support/browser.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/images');
const VIEWPORT = { width: 800, height: 620 };
const BRANDS = [
  { id: 'acme', name: 'Acme Outdoors', accent: '#0b6e4f', background: '#eef5f1', mark: '▲' },
  { id: 'beta', name: 'Beta Books', accent: '#8a1c7c', background: '#f7f0f6', mark: 'B' },
] as const;

describeWithBrowser('the screenshots in the docs', () => {
  let server: TestServer;
  let browser: Browser;
  const apps: Record<string, RelyingParty> = {};

  /** A small PNG logo: a coloured badge with the brand's mark and name, drawn by Chromium. */
  async function drawLogo(brand: (typeof BRANDS)[number]): Promise<Buffer> {
    const page = await browser.newPage({ viewport: { width: 240, height: 48 } });
    await page.setContent(`<body style="margin:0;background:transparent"><div style="display:flex;align-items:center;gap:10px;height:48px;font:700 20px system-ui,sans-serif;color:${brand.accent}">
      <span style="display:grid;place-items:center;width:40px;height:40px;border-radius:10px;background:${brand.accent};color:#fff">${brand.mark}</span>${brand.name}</div></body>`);
    const png = await page.screenshot({ omitBackground: true });
    await page.close();
    return png;
  }

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const { call, token } = await createAdminApi(server);
    for (const brand of BRANDS) {
      expect((await call(`/brands/${brand.id}`, { method: 'PUT', body: { name: brand.name, colours: { accent: brand.accent, text: '#14201b', background: brand.background } } })).status).toBe(201);
      const logo = await fetch(`${server.url}/admin/api/brands/${brand.id}/logo`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: new Uint8Array(await drawLogo(brand)) });
      expect(logo.status).toBe(200);
      apps[brand.id] = await createRelyingParty(server, { clientId: `${brand.id}-shop` });
      expect((await call(`/brands/${brand.id}/clients/${brand.id}-shop`, { method: 'PUT' })).status).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The sign-in page of a brand's app in a language, as a PNG 800 px wide. */
  async function signInPage(brand: string, locale: string): Promise<{ png: Buffer; page: Page }> {
    const context = await browser.newContext({ locale, viewport: VIEWPORT });
    const page = await context.newPage();
    await page.goto((await apps[brand]!.authorizationUrl()).url);
    await page.locator('#email').waitFor();
    await page.waitForFunction(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0));
    const png = await page.screenshot();
    return { png, page };
  }

  it('renders the sign-in page of two brands and in Arabic', async () => {
    const shots = [
      { file: 'sign-in-acme.png', brand: 'acme', locale: 'en-GB', dir: 'ltr' },
      { file: 'sign-in-beta.png', brand: 'beta', locale: 'en-GB', dir: 'ltr' },
      { file: 'sign-in-arabic.png', brand: 'acme', locale: 'ar', dir: 'rtl' },
    ];
    for (const shot of shots) {
      const { png, page } = await signInPage(shot.brand, shot.locale);
      expect(await page.locator('html').getAttribute('dir')).toBe(shot.dir);
      expect(await page.locator('img.brand-logo').getAttribute('src')).toMatch(new RegExp(`^/brands/${shot.brand}/logo`));
      expect(png.readUInt32BE(16)).toBe(VIEWPORT.width); // the PNG header's width
      await page.context().close();
      if (process.env.UPDATE_SCREENSHOTS === '1') writeFileSync(join(IMAGES, shot.file), png);
    }
  }, 120_000);
});
