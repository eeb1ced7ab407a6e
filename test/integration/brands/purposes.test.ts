// Purposes and topics per brand: a purpose (or topic) a brand lists is its own; one no brand lists is shared by
// all. The consent and preference pages of the account, and /privacy, list those of the brand in view and the
// shared ones, never another brand's; the consent history keeps every brand's records. The lite sign-up (form
// and API) captures only for its client's brand's own purposes and the shared ones.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAND_DOCUMENTS, setUpTwoBrands } from '../../support/brands.ts';
import { newBrowser } from '../../support/journey.ts';
import { createPasswordAccount, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let betaCrm: RelyingParty;
const password = 'a lantern on the quay';
const texts = (name: string) => ({ en: { name, description: `${name}, described.` } });

beforeAll(async () => {
  server = await startTestServer({
    // The lite sign-up form's purposes: one per brand, and the newsletter no brand lists (shared).
    capture: { purposes: {
      newsletter: { label: { en: 'Send me news' } },
      'acme-offers': { label: { en: 'Acme trail offers' } },
      'beta-offers': { label: { en: 'Beta club offers' } },
    } },
    consent: {
      documents: BRAND_DOCUMENTS,
      purposes: [
        { id: 'account', legalBasis: 'contract', dataCategories: ['email'], texts: texts('Your account') },
        { id: 'acme-offers', legalBasis: 'consent', dataCategories: ['email'], texts: texts('Acme trail offers') },
        { id: 'beta-offers', legalBasis: 'consent', dataCategories: ['email'], texts: texts('Beta club offers') },
      ],
    },
    preferences: { topics: [
      { id: 'service', texts: texts('Service news'), channels: ['email'] },
      { id: 'acme-letter', texts: texts('Acme letter'), channels: ['email'] },
      { id: 'beta-letter', texts: texts('Beta letter'), channels: ['email'] },
    ] },
  } as never);
  const { call } = await setUpTwoBrands(server, {
    brandBody: (brand) => ({ purposes: [`${brand}-offers`], topics: [`${brand}-letter`] }),
    // The shops host the lite sign-up form (the capture scope), as a brand's shop links or frames it.
    appInput: (id) => (id.endsWith('-shop') ? { scope: 'openid email capture' } : {}),
  });
  // Beta's CRM calls the lite sign-up API (client credentials with the capture scope).
  betaCrm = await createRelyingParty(server, { clientId: 'beta-crm', name: 'Beta CRM', grantTypes: ['client_credentials'], redirectUris: [], scope: 'capture' });
  expect((await call('/brands/beta/clients/beta-crm', { method: 'PUT' })).status).toBe(200);
  await createPasswordAccount(server, 'ada@example.com', password);
});
afterAll(async () => server?.stop());

const OWN = { acme: ['Acme trail offers', 'Acme letter'], beta: ['Beta club offers', 'Beta letter'] } as const;

describe('purposes and topics per brand', () => {
  it('/privacy lists the brand\'s own and the shared ones', async () => {
    for (const [brand, other] of [['acme', 'beta'], ['beta', 'acme']] as const) {
      const html = await (await fetch(`${server.url}/privacy?brand=${brand}`)).text();
      for (const name of ['Your account', 'Service news', ...OWN[brand]]) expect(html, `${brand}: ${name}`).toContain(name);
      for (const name of OWN[other]) expect(html, `${brand}: ${name}`).not.toContain(name);
    }
    // The default brand: only the shared ones.
    const plain = await (await fetch(`${server.url}/privacy`)).text();
    expect(plain).toContain('Your account');
    expect(plain).toContain('Service news');
    for (const name of [...OWN.acme, ...OWN.beta]) expect(plain).not.toContain(name);
  });

  it('the account\'s consent and preference pages list the brand in view\'s own and the shared ones', async () => {
    const browser = newBrowser();
    const atBeta = await signInToAccount(server, browser, 'ada@example.com', password, '/account/consents?brand=beta');
    expect(atBeta.html).toContain('Beta club offers');
    expect(atBeta.html).toContain('Your account');
    expect(atBeta.html).not.toContain('Acme trail offers');
    const betaPreferences = await browser.get(`${server.url}/account/preferences`);
    expect(betaPreferences.html).toContain('Beta letter');
    expect(betaPreferences.html).toContain('Service news');
    expect(betaPreferences.html).not.toContain('Acme letter');

    // Consent given in brand B stays in the history when the customer views the pages in brand A.
    const given = await browser.submit(atBeta, '/account/consents/purposes/beta-offers', { choice: 'grant' });
    expect(given.status).toBe(200);
    const atAcme = await browser.get(`${server.url}/account/consents?brand=acme`);
    expect(atAcme.html).toContain('Acme trail offers');
    expect(atAcme.html).toContain('Your account');
    expect(atAcme.html).not.toMatch(/<h[23][^>]*>[^<]*Beta club offers/);
    expect(atAcme.html).toContain('Beta club offers'); // the history row
    const acmePreferences = await browser.get(`${server.url}/account/preferences`);
    expect(acmePreferences.html).toContain('Acme letter');
    expect(acmePreferences.html).not.toContain('Beta letter');
  });

  it('the lite sign-up form is in its client\'s brand and asks only for that brand\'s own or a shared purpose', async () => {
    const form = await fetch(`${server.url}/capture?client_id=beta-shop&purpose=beta-offers`);
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('Beta club offers');
    expect(html).toMatch(/class="brand-name"[^>]*>Beta</);
    expect((await fetch(`${server.url}/capture?client_id=beta-shop&purpose=newsletter`)).status).toBe(200);

    // Another brand's purpose is refused, on the page and when posted, and nothing is started.
    const refused = await fetch(`${server.url}/capture?client_id=beta-shop&purpose=acme-offers`);
    expect(refused.status).toBe(400);
    expect(await refused.text()).not.toContain('Acme trail offers');
    const token = /name="form_token" value="([^"]+)"/.exec(html)?.[1];
    expect(token).toBeTruthy();
    const posted = await fetch(`${server.url}/capture`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'beta-shop', purpose: 'acme-offers', form_token: token!, email: 'crossed@example.com', consent: 'yes' }).toString(),
    });
    expect(posted.status).toBe(400);
    // The same form with Beta's own purpose goes through: its confirmation mail arrives, the refused one's never.
    const allowed = await fetch(`${server.url}/capture`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'beta-shop', purpose: 'beta-offers', form_token: token!, email: 'kept@example.com', consent: 'yes' }).toString(),
    });
    expect(allowed.status).toBe(200);
    await server.smtp.waitForMail('kept@example.com');
    expect(server.smtp.mails.some((m) => m.to.includes('crossed@example.com'))).toBe(false);
  });

  it('the lite sign-up API captures for the client\'s brand\'s own or a shared purpose, and refuses another brand\'s, storing nothing', async () => {
    const { access_token: token } = await oidc.clientCredentialsGrant(betaCrm.config, { scope: 'capture', resource: `${server.url}/api/capture` });
    const capture = (email: string, purpose: string) => fetch(`${server.url}/api/capture`, {
      method: 'POST', body: JSON.stringify({ email, purpose, given_name: 'Kit' }),
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    });
    const rows = async () => {
      const counts: Record<string, number> = {};
      for (const table of ['accounts', 'flows', 'consent_records', 'events', 'throttles', 'dev_outbox']) counts[table] = Number((await server.services.db(table).count({ n: '*' }).first())?.n);
      return counts;
    };
    const before = await rows();
    const refused = await capture('crossed-api@example.com', 'acme-offers');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'invalid_request', message: expect.stringMatching(/^purpose: "acme-offers" belongs to another brand/) });
    expect(await rows()).toEqual(before);
    expect(await server.services.accounts.findAccountByEmail('crossed-api@example.com')).toBeUndefined();

    for (const [email, purpose] of [['own-api@example.com', 'beta-offers'], ['shared-api@example.com', 'newsletter']] as const) {
      const accepted = await capture(email, purpose);
      expect(accepted.status, purpose).toBe(202);
      expect(await accepted.json()).toMatchObject({ status: 'pending_confirmation' });
    }
    // Beta's own purpose goes all the way: the mailed link confirms it into a lite account with the consent recorded.
    const mail = await server.smtp.waitForMail('own-api@example.com');
    const browser = newBrowser();
    const confirmPage = await browser.get(/(http:\/\/\S+\/capture\/confirm\/[\w-]+)/.exec(mail.text)![1]!);
    expect((await browser.submit(confirmPage, '/capture/confirm/', {})).status).toBe(200);
    const account = await server.services.accounts.findAccountByEmail('own-api@example.com');
    expect(account).toMatchObject({ status: 'lite' });
    expect(await server.services.db('consent_records').where({ account_id: account!.id, subject_ref: 'beta-offers', action: 'grant' }).first()).toBeDefined();
    await server.smtp.waitForMail('shared-api@example.com');
    // Mail goes out in the background: by now the refused one's would have arrived too.
    expect(server.smtp.mails.some((m) => m.to.includes('crossed-api@example.com'))).toBe(false);
    expect(await server.services.db('consent_records').where({ subject_ref: 'acme-offers' }).first()).toBeUndefined();
  });
});
