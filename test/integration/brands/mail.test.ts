// Mails per brand, through the real SMTP capture: a sign-up at an app of a brand with its own sender gets a
// mail from that sender, with the brand's logo and colour in the HTML part and the code as it is in the text
// part; a sign-up at an app of the default brand gets Foyer's sender as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { onePixelPng } from '../../support/images.ts';
import { newBrowser } from '../../support/journey.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let shop: RelyingParty;
let plain: RelyingParty;

beforeAll(async () => {
  server = await startTestServer();
  const { call, token } = await createAdminApi(server);
  expect((await call('/brands/acme', { method: 'PUT', body: { name: 'Acme Outdoor', colours: { accent: '#0b6e4f', text: '#112233', background: '#f4f8f6' }, mail: { fromName: 'Acme Outdoor', fromAddress: 'hello@acme.example' } } })).status).toBe(201);
  await fetch(`${server.url}/admin/api/brands/acme/logo`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png' }, body: new Uint8Array(onePixelPng([11, 110, 79])) });
  shop = await createRelyingParty(server, { clientId: 'acme-shop' });
  plain = await createRelyingParty(server, { clientId: 'plain-app' });
  expect((await call('/brands/acme/clients/acme-shop', { method: 'PUT' })).status).toBe(200);
});
afterAll(async () => server?.stop());

async function signUpMail(rp: RelyingParty, email: string) {
  const browser = newBrowser();
  const start = await browser.get((await rp.authorizationUrl()).url);
  const form = await browser.get(new URL(/href="([^"]*\/signup)"/.exec(start.html)![1]!, start.url).href);
  await browser.submit(form, '/signup', { email, password: 'a lantern on the quay', terms: 'yes' });
  return server.smtp.waitForMail(email, (m) => m.subject.includes('code'));
}

describe('mails per brand', () => {
  it('go out from the brand\'s sender with its logo and colour; the text part keeps the code', async () => {
    const mail = await signUpMail(shop, 'hiker@example.com');
    expect(mail.headers.from).toBe('Acme Outdoor <hello@acme.example>');
    expect(mail.html).toMatch(/<img src="http:\/\/[\w.:]+\/brands\/acme\/logo\?v&#x3D;[\w-]+" alt="Acme Outdoor"/);
    expect(mail.html).toContain('border-top:6px solid #0b6e4f');
    expect(mail.text).toContain('Acme Outdoor');
    expect(codeFrom(mail)).toMatch(/^\d{6}$/);
  });

  it('an app in the default brand mails as before', async () => {
    const mail = await signUpMail(plain, 'walker@example.com');
    expect(mail.headers.from).not.toContain('acme');
    expect(mail.html).not.toContain('Acme');
    expect(codeFrom(mail)).toMatch(/^\d{6}$/);
  });
});
