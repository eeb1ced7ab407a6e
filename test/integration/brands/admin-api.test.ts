// Brands through /admin/api over real HTTP: a brand is created with colours, links, a default language and a
// logo; an app is put in it; its journey pages then carry the brand's name, logo and theme, and the logo is
// served cacheable. Bad input (a colour that is not one, colours below 4.5:1, an unknown language tag, an
// oversized or non-image logo, an SVG, a template that does not compile) is a clear 4xx, nothing is saved,
// and the pages still render.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { onePixelPng, SVG_WITH_SCRIPT } from '../../support/images.ts';
import { newBrowser } from '../../support/journey.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
let token: string;
let shop: RelyingParty;

const acme = {
  name: 'Acme Outdoor', colours: { accent: '#0b6e4f', text: '#112233', background: '#f4f8f6' }, font: '"Inter", sans-serif',
  supportUrl: 'https://help.acme.example/', privacyUrl: 'https://acme.example/privacy', defaultLanguage: 'pl',
  mail: { fromName: 'Acme Outdoor', fromAddress: 'hello@acme.example' },
};

beforeAll(async () => {
  server = await startTestServer();
  ({ call, token } = await createAdminApi(server));
  shop = await createRelyingParty(server, { clientId: 'acme-shop', name: 'Acme shop' });
});
afterAll(async () => server?.stop());

const putLogo = (id: string, body: Buffer, type = 'image/png') =>
  fetch(`${server.url}/admin/api/brands/${id}/logo`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: new Uint8Array(body) });

async function journeyPage(rp: RelyingParty) {
  const browser = newBrowser();
  return browser.get((await rp.authorizationUrl()).url);
}

describe('brands through the admin API', () => {
  it('has the default brand from the start, and pages look as before', async () => {
    const listed = await call('/brands');
    expect(listed.status).toBe(200);
    expect(listed.body!.brands).toEqual([expect.objectContaining({ id: 'default', name: 'Foyer', clients: [] })]);
    const page = await journeyPage(shop);
    expect(page.html).toContain('name="email"');
    expect(page.html).toContain('/brands/default/theme.css');
  });

  it('creates a brand, takes a logo, puts an app in it, and its pages show the brand', async () => {
    const created = await call('/brands/acme', { method: 'PUT', body: acme });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/admin/api/brands/acme');
    expect(created.body).toMatchObject({ id: 'acme', name: 'Acme Outdoor', defaultLanguage: 'pl', colours: acme.colours });

    const logo = onePixelPng([11, 110, 79]);
    const uploaded = await putLogo('acme', logo);
    expect(uploaded.status).toBe(200);
    const { logoUrl } = await uploaded.json() as { logoUrl: string };
    expect(logoUrl).toMatch(/^\/brands\/acme\/logo\?v=[\w-]+$/);

    const served = await fetch(`${server.url}${logoUrl}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(logo);
    const again = await fetch(`${server.url}${logoUrl}`, { headers: { 'if-none-match': served.headers.get('etag')! } });
    expect(again.status).toBe(304);

    expect((await call('/brands/acme/clients/acme-shop', { method: 'PUT' })).body).toMatchObject({ clients: ['acme-shop'] });
    const page = await journeyPage(shop);
    expect(page.html).toContain(`src="${logoUrl.replace('=', '&#x3D;')}"`);
    expect(page.html).toContain('alt="Acme Outdoor"');
    expect(page.html).toContain('· Acme Outdoor</title>');
    expect(page.html).toContain('href="https://help.acme.example/"');
    const theme = /href="(\/brands\/acme\/theme\.css\?v)&#x3D;(\w+)"/.exec(page.html)!.slice(1).join('=');
    const css = await (await fetch(`${server.url}${theme}`)).text();
    expect(css).toContain('--accent: #0b6e4f;');
    expect(css).toContain('font-family: "Inter", sans-serif;');
  });

  it('refuses bad input with a clear 4xx and saves nothing', async () => {
    const before = (await call('/brands/acme')).body;
    const refusals: [unknown, number, RegExp][] = [
      [{ ...acme, colours: { ...acme.colours, accent: 'greenish' } }, 400, /colours\.accent: must be a hex colour/],
      [{ ...acme, colours: { ...acme.colours, accent: '#9fe2bf' } }, 400, /button text \(white\) on accent: #ffffff on #9fe2bf has a contrast of 1\.\d\d:1, below the 4\.5:1/],
      [{ ...acme, defaultLanguage: 'xx-Klingon' }, 400, /defaultLanguage: must be one of the supported language tags: en, ar, ru, pl, pt, de, fr, es/],
      [{ ...acme, font: 'x; } body { display: none' }, 400, /font: must be a font-family list/],
      [{ ...acme, supportUrl: 'javascript:alert(1)' }, 400, /supportUrl/],
    ];
    for (const [body, status, message] of refusals) {
      const answer = await call('/brands/acme', { method: 'PUT', body });
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.body!.message).toMatch(message);
    }
    expect((await call('/brands/NotASlug', { method: 'PUT', body: acme })).status).toBe(400);

    const big = Buffer.concat([onePixelPng([0, 0, 0]), Buffer.alloc(300 * 1024)]);
    const tooBig = await putLogo('acme', big);
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { message: string }).message).toMatch(/at most 262144 bytes/);
    const text = await putLogo('acme', Buffer.from('just some text, not an image'));
    expect(text.status).toBe(415);
    expect(((await text.json()) as { message: string }).message).toMatch(/PNG, JPEG or WebP/);
    expect((await putLogo('acme', SVG_WITH_SCRIPT, 'image/svg+xml')).status).toBe(415);
    expect((await putLogo('acme', onePixelPng([0, 0, 0]), 'text/plain')).status).toBe(415);

    const broken = await call('/brands/acme/templates', { method: 'POST', body: { name: 'brand-header', source: '<b>{{#if brand}}oops' } });
    expect(broken.status).toBe(400);
    expect(broken.body!.message).toMatch(/does not compile/);
    const raw = await call('/brands/acme/templates', { method: 'POST', body: { name: 'brand-header', source: '{{{brandName}}}' } });
    expect(raw.status).toBe(400);
    expect((await call('/brands/acme/templates', { method: 'POST', body: { name: 'no-such-partial', source: 'x' } })).status).toBe(400);

    expect((await call('/brands/acme')).body).toEqual(before);
    const page = await journeyPage(shop);
    expect(page.status).toBe(200);
    expect(page.html).toContain('alt="Acme Outdoor"');
  });

  it('a template override replaces one partial for that brand only, and a failing one falls back', async () => {
    const saved = await call('/brands/acme/templates', { method: 'POST', body: { name: 'brand-header', source: '<span class="brand-name">{{brandName}} — outdoors since 1921</span>' } });
    expect(saved.status).toBe(200);
    expect(saved.body!.templates).toEqual(['brand-header']);
    expect((await journeyPage(shop)).html).toContain('Acme Outdoor — outdoors since 1921');
    const other = await createRelyingParty(server, { clientId: 'plain-app', name: 'Plain' });
    expect((await journeyPage(other)).html).not.toContain('outdoors since 1921');

    // Compiles, but calls a helper that does not exist: the page renders without the override.
    expect((await call('/brands/acme/templates', { method: 'POST', body: { name: 'brand-header', source: '{{nosuchhelper brandName 1}}' } })).status).toBe(200);
    const page = await journeyPage(shop);
    expect(page.status).toBe(200);
    expect(page.html).toContain('name="email"');
    expect((await call('/brands/acme/templates/brand-header', { method: 'DELETE' })).status).toBe(204);
  });

  it('a purpose or topic belongs to one brand at most; the default brand stays', async () => {
    expect((await call('/brands/acme', { method: 'PUT', body: { ...acme, purposes: ['newsletter'] } })).status).toBe(200);
    const taken = await call('/brands/beta', { method: 'PUT', body: { name: 'Beta', purposes: ['newsletter'] } });
    expect(taken.status).toBe(409);
    expect((await call('/brands/beta')).status).toBe(404);
    expect((await call('/brands/acme', { method: 'PUT', body: { ...acme, topics: ['offers'] } })).status).toBe(200);
    const topicTaken = await call('/brands/beta', { method: 'PUT', body: { name: 'Beta', topics: ['offers'] } });
    expect(topicTaken.status).toBe(409);
    expect(topicTaken.body).toMatchObject({ error: 'brand.topic_taken' });
    expect((await call('/brands/default', { method: 'DELETE' })).status).toBe(409);
    expect((await call('/brands/acme/clients/no-such-app', { method: 'PUT' })).status).toBe(404);
  });
});
