// The brand pages (/admin/brands) as an administrator uses them: add a brand, save its settings (colours
// below 4.5:1 refused with the reason, nothing saved), upload a logo file (an oversized or non-image file
// refused), override a partial (one that does not compile refused), put an app in it. The account pages
// then follow `?brand=` — their sign-in page too — and the app's journey shows the brand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { onePixelPng } from '../../support/images.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const PASSWORD = 'a long and unusual passphrase';
let server: TestServer;
let browser: FormBrowser;
let shop: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false } } as never);
  await createPasswordAccount(server, 'ops.admin@example.com', PASSWORD);
  expect((await runCommand(['admins', 'add', 'ops.admin@example.com'], { services: server.services })).exitCode).toBe(0);
  shop = await createRelyingParty(server, { clientId: 'acme-shop', name: 'Acme shop' });
  browser = newBrowser();
  const start = await browser.get(`${server.url}/admin/brands`);
  const landed = await throughPrompts(browser, await enterEmailAndPassword(browser, start, 'ops.admin@example.com', PASSWORD));
  expect(landed.url).toBe(`${server.url}/admin/brands`);
});
afterAll(async () => server?.stop());

async function upload(page: Page, file: Uint8Array, type: string, name: string): Promise<Page> {
  const form = new FormData();
  form.set('_csrf', /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
  form.set('logo', new Blob([new Uint8Array(file)], { type }), name);
  const encoded = new Response(form);
  return browser.request(`${server.url}/admin/brands/acme/logo`, { method: 'POST', body: new Uint8Array(await encoded.arrayBuffer()), headers: { 'content-type': encoded.headers.get('content-type')! } });
}

const settings = { name: 'Acme Outdoor', accent: '#0b6e4f', text: '#112233', background: '#f4f8f6', support_url: 'https://help.acme.example/', default_language: 'pl' };

describe('the brand pages', () => {
  it('add a brand, refuse low contrast with the reason, and save good settings', async () => {
    const list = await browser.get(`${server.url}/admin/brands`);
    expect(list.html).toContain('data-brand="default"');
    const created = await browser.submit(list, '/admin/brands', { id: 'acme', name: 'Acme' });
    expect(created.url).toBe(`${server.url}/admin/brands/acme?done=${encodeURIComponent('Brand created: give it colours, a logo and apps below.')}`);

    const low = await browser.submit(created, '/admin/brands/acme', { ...settings, accent: '#9fe2bf' });
    expect(low.status).toBe(400);
    expect(low.html).toContain('button text (white) on accent: #ffffff on #9fe2bf has a contrast of');
    const notAColour = await browser.submit(created, '/admin/brands/acme', { ...settings, text: 'dark grey' });
    expect(notAColour.status).toBe(400);
    expect(notAColour.html).toContain('colours.text: must be a hex colour');
    const unknownLanguage = await browser.submit(created, '/admin/brands/acme', { ...settings, default_language: 'tlh' });
    expect(unknownLanguage.status).toBe(400);
    expect((await server.services.brands.find('acme')).colours.accent).toBe('#2f5bea');

    const saved = await browser.submit(created, '/admin/brands/acme', settings);
    expect(saved.html).toContain('Saved.');
    expect(saved.html).toContain('value="#0b6e4f"');
  });

  it('take a logo file, and refuse an oversized or non-image one', async () => {
    const page = await browser.get(`${server.url}/admin/brands/acme`);
    const text = await upload(page, Buffer.from('not an image at all'), 'image/png', 'logo.png');
    expect(text.status).toBe(415);
    expect(text.html).toContain('must be a PNG, JPEG or WebP image');
    const big = await upload(page, Buffer.concat([onePixelPng([0, 0, 0]), Buffer.alloc(300 * 1024)]), 'image/png', 'big.png');
    expect(big.status).toBe(413);
    expect((await server.services.brands.find('acme')).logoUrl).toBeUndefined();
    const good = await upload(page, onePixelPng([11, 110, 79]), 'image/png', 'logo.png');
    expect(good.html).toContain('Logo saved.');
    expect((await server.services.brands.find('acme')).logoUrl).toMatch(/^\/brands\/acme\/logo\?v=/);
  });

  it('refuse a template that does not compile, save one that does, and put an app in the brand', async () => {
    const page = await browser.get(`${server.url}/admin/brands/acme`);
    const broken = await browser.submit(page, '/templates', { name: 'brand-header', source: '{{#each brand}}' });
    expect(broken.status).toBe(400);
    expect(broken.html).toContain('The template does not compile');
    const saved = await browser.submit(page, '/templates', { name: 'brand-footer', source: '<footer class="brand-links">Acme since 1921</footer>' });
    expect(saved.html).toContain('Override saved.');
    const added = await browser.submit(saved, '/admin/brands/acme/apps', { client_id: 'acme-shop' });
    expect(added.html).toContain('The app is in this brand now.');

    const journey = await newBrowser().get((await shop.authorizationUrl()).url);
    expect(journey.html).toContain('Acme since 1921');
    expect(journey.html).toMatch(/href="\/brands\/acme\/theme\.css/);
  });

  it('the account pages follow ?brand=, their sign-in page included, and remember it', async () => {
    const customer = newBrowser();
    const welcome = await customer.get(`${server.url}/account?brand=acme`);
    expect(welcome.html).toMatch(/href="\/brands\/acme\/theme\.css/);
    expect(customer.cookie('foyer_brand')).toBe('acme');
    const signIn = await customer.get(`${server.url}/account/login`);
    expect(signIn.url).toContain('/interaction/');
    expect(signIn.html).toMatch(/href="\/brands\/acme\/theme\.css/);
    expect(signIn.html).toContain('Acme since 1921');
    const unknown = await newBrowser().get(`${server.url}/account?brand=nope`);
    expect(unknown.html).toMatch(/href="\/brands\/default\/theme\.css/);
  });

  it('the buttons beside each app and each override work: the app goes back to the default brand, the override goes', async () => {
    const page = await browser.get(`${server.url}/admin/brands/acme`);
    const back = await browser.submit(page, '/admin/brands/acme/apps', { remove: 'yes' });
    expect(back.html).toContain('The app is back in the default brand.');
    expect((await server.services.brands.current()).clientBrand.get('acme-shop') ?? 'default').toBe('default');
    const removed = await browser.submit(back, '/admin/brands/acme/templates', { remove: 'yes' });
    expect(removed.html).toContain('Override removed.');
    expect((await server.services.brands.current()).templates.get('acme')?.size ?? 0).toBe(0);
  });
});
