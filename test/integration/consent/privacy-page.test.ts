// The transparency page /privacy: readable without sign-in, generated from the purpose registry (an
// admin's change in the database shows at once), in the reader's language with fallback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    brandName: 'Example Shop',
    profile: {
      fields: [
        { key: 'birthdate', type: 'date', label: { en: 'Date of birth' }, purpose: 'partners' },
        { key: 'nickname', label: { en: 'Nickname' }, purpose: 'partners', enabled: false },
      ],
    },
    consent: {
      controller: { name: 'Example Shop GmbH', email: 'privacy@example.com', address: 'Hauptstraße 1, Berlin' },
      purposes: [
        { id: 'account', legalBasis: 'contract', dataCategories: ['email', 'password hash'], texts: { en: { name: 'Your account', description: 'To sign you in.' }, de: { name: 'Ihr Konto', description: 'Um Sie anzumelden.' } } },
        { id: 'analytics', legalBasis: 'legitimate_interest', dataCategories: ['usage'], texts: { en: { name: 'Analytics', description: 'To improve the shop.' } } },
        { id: 'partners', legalBasis: 'consent', dataCategories: ['email'], thirdPartyDisclosure: true, texts: { en: { name: 'Partner offers', description: 'Offers of our partners.' } } },
      ],
    },
  } as never);
});
afterAll(async () => server?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers: { accept: 'text/html', ...headers } });

describe('/privacy', () => {
  it('states without sign-in who collects what, why, and on what legal basis', async () => {
    const res = await get('/privacy');
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const text of ['Example Shop GmbH', 'privacy@example.com', 'Hauptstraße 1, Berlin', 'Your account', 'To sign you in.', 'Needed for the service you signed up for',
      'Analytics', 'Our legitimate interest', 'You can object to it in your account.', 'Partner offers', 'Your consent', 'email, password hash, usage', 'Terms of service']) {
      expect(html).toContain(text);
    }
    expect(html).toMatch(/Partner offers[\s\S]*Shared with third parties<\/th><td>Yes/);
    // The profile fields held for a purpose are named under it; a disabled field is not held.
    expect(html).toMatch(/Partner offers[\s\S]*Profile details<\/th><td>Date of birth<\/td>/);
    expect(html).not.toContain('Nickname');
    // Per field: purpose, basis and when it is shared (the release rule in words).
    expect(html).toMatch(/<tr><td>Date of birth<\/td><td><a href="#purpose-partners">Partner offers<\/a><\/td><td>Your consent<\/td><td>Only while you consent; never while you restrict processing.<\/td><\/tr>/);
    expect(html).toContain('/consent/receipts/jwks.json');
  });

  it('names the downstream systems that receive a purpose\'s data, and no system that is disabled', async () => {
    const crm = await server.services.webhooks.add({ name: 'Brand CRM', url: 'https://crm.example/hooks', fields: ['birthdate'] });
    await server.services.webhooks.add({ name: 'Mail tool', url: 'https://mail.example/hooks', fields: ['email'] });
    await server.services.webhooks.add({ name: 'Old warehouse', url: 'https://old.example/hooks', fields: ['email'], enabled: false });
    const html = await (await get('/privacy')).text();
    expect(html).toMatch(/Partner offers[\s\S]*Sent to our systems<\/th><td>Brand CRM, Mail tool<\/td>/);
    expect(html).toMatch(/Your account[\s\S]*Sent to our systems<\/th><td>Mail tool<\/td>[\s\S]*Analytics/);
    expect(html).not.toContain('Old warehouse');
    await server.services.webhooks.remove(crm.id);
  });

  it('speaks the reader\'s language where a text exists, and falls back to the default locale', async () => {
    const german = await (await get('/privacy', { 'accept-language': 'de-AT, de;q=0.9, en;q=0.5' })).text();
    expect(german).toContain('Ihr Konto');
    expect(german).toContain('Analytics'); // no German text: the default locale's
    const asked = await (await get('/privacy?lang=de')).text();
    expect(asked).toContain('Um Sie anzumelden.');
    const french = await (await get('/privacy', { 'accept-language': 'fr' })).text();
    expect(french).toContain('Your account');
    const odd = await get('/privacy?lang=%3Cscript%3E');
    expect(odd.status).toBe(200);
    expect(await odd.text()).not.toContain('<script>');
    expect((await get('/privacy?lang=%00')).status).toBe(400);
  });

  it('follows the database, which is authoritative over the config', async () => {
    await server.dbHandle.db('consent_purposes').insert({ id: 'fraud', legal_basis: 'legal_obligation', texts: JSON.stringify({ en: { name: 'Fraud prevention', description: 'The law asks us to.' } }), data_categories: JSON.stringify(['payment']) });
    const html = await (await get('/privacy')).text();
    expect(html).toContain('Fraud prevention');
    expect(html).toContain('Required by law');
  });
});
