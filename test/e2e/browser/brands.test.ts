// Two brands in Chromium: the sign-in pages of their apps differ in logo and colours (computed styles, not
// pixels), the logo loads under the Content-Security-Policy, and the brand's stylesheet applies.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { describeWithBrowser, expectNoProblems, launchBrowser, newContext } from '../../support/browser.ts';
import { onePixelPng } from '../../support/images.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let browser: Browser;
const apps: Record<string, RelyingParty> = {};

describeWithBrowser('brands in the browser', () => {
  beforeAll(async () => {
    server = await startTestServer();
    const { call, token } = await createAdminApi(server);
    const brands = [['acme', '#0b6e4f', [11, 110, 79]], ['beta', '#8a1c7c', [138, 28, 124]]] as const;
    for (const [id, accent, rgb] of brands) {
      expect((await call(`/brands/${id}`, { method: 'PUT', body: { name: id.toUpperCase(), colours: { accent, text: '#111111', background: '#fafafa' }, font: 'Georgia, serif' } })).status).toBe(201);
      const logo = await fetch(`${server.url}/admin/api/brands/${id}/logo`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: new Uint8Array(onePixelPng([...rgb])) });
      expect(logo.status).toBe(200);
      apps[id] = await createRelyingParty(server, { clientId: `${id}-shop` });
      expect((await call(`/brands/${id}/clients/${id}-shop`, { method: 'PUT' })).status).toBe(200);
    }
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function lookOf(id: string) {
    const { context, page, problems } = await newContext(browser);
    await page.goto((await apps[id]!.authorizationUrl()).url);
    await page.locator('input[name="email"]').waitFor();
    const look = await page.evaluate(() => {
      const button = document.querySelector('main button[type="submit"]')!;
      const logo = document.querySelector<HTMLImageElement>('img.brand-logo')!;
      return { button: getComputedStyle(button).backgroundColor, font: getComputedStyle(document.body).fontFamily, logo: logo.getAttribute('src'), loaded: logo.complete && logo.naturalWidth > 0, alt: logo.alt };
    });
    expectNoProblems(problems);
    await context.close();
    return look;
  }

  it('shows each brand\'s logo and colours on its apps\' sign-in page', async () => {
    const acme = await lookOf('acme');
    const beta = await lookOf('beta');
    expect(acme).toMatchObject({ button: 'rgb(11, 110, 79)', font: 'Georgia, serif', loaded: true, alt: 'ACME' });
    expect(beta).toMatchObject({ button: 'rgb(138, 28, 124)', loaded: true, alt: 'BETA' });
    expect(acme.logo).toMatch(/^\/brands\/acme\/logo\?v=/);
    expect(beta.logo).toMatch(/^\/brands\/beta\/logo\?v=/);
  });
});
