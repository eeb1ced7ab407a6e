// The consent registry through /admin/api over real HTTP: purposes and topics created and changed show on the
// customer's pages; once the ledger holds a customer's choice about one, what that choice rests on (a legal
// basis, no third-party disclosure, a topic's channel) cannot change; a material document version published
// through the API asks again at the next sign-in, an editorial or scheduled one does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { signInToAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const email = 'reader@example.com';
const password = 'the slow tide of the estuary';
let server: TestServer;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
let app: RelyingParty;

const loyalty = { legalBasis: 'consent', texts: { en: { name: 'Loyalty programme', description: 'Points for what you buy.' } }, dataCategories: ['purchases'] };

beforeAll(async () => {
  server = await startTestServer({ preferences: { channels: ['email', 'sms'] } } as never);
  ({ call } = await createAdminApi(server));
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email' });
  const browser = newBrowser();
  const auth = await app.authorizationUrl({ scope: 'openid email' });
  const done = await consentIfAsked(browser, await signUp(server, browser, await browser.get(auth.url), email, password));
  expect(done.url.startsWith(CALLBACK)).toBe(true);
});
afterAll(async () => server?.stop());

async function signIn(): Promise<{ browser: FormBrowser; page: Page }> {
  const browser = newBrowser();
  const auth = await app.authorizationUrl({ scope: 'openid email' });
  return { browser, page: await enterEmailAndPassword(browser, await browser.get(auth.url), email, password) };
}

describe('purposes', () => {
  let browser: FormBrowser;
  let consents: Page;

  it('lists the purposes with their legal bases, and creates one the customer then sees', async () => {
    const listed = await call('/purposes');
    expect(listed.status).toBe(200);
    expect(listed.body!.purposes).toEqual(expect.arrayContaining([
      expect.objectContaining({ id: 'marketing', legalBasis: 'consent', needsConsent: true }),
      expect.objectContaining({ id: 'analytics', legalBasis: 'legitimate_interest', objectable: true }),
    ]));
    const created = await call('/purposes/loyalty', { method: 'PUT', body: loyalty });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'loyalty', legalBasis: 'consent', dataCategories: ['purchases'], thirdPartyDisclosure: false, needsConsent: true });
    expect((await call('/purposes/loyalty')).body).toMatchObject({ texts: loyalty.texts });
    browser = newBrowser();
    consents = await signInToAccount(server, browser, email, password, '/account/consents');
    expect(consents.html).toContain('Consent to Loyalty programme');
  });

  it('changes texts and data categories at any time; the legal basis only while no record rests on it', async () => {
    const surveys = { ...loyalty, texts: { en: { name: 'Surveys', description: 'We ask your opinion.' } } };
    expect((await call('/purposes/surveys', { method: 'PUT', body: surveys })).status).toBe(201);
    expect((await call('/purposes/surveys', { method: 'PUT', body: { ...surveys, legalBasis: 'legitimate_interest' } })).body).toMatchObject({ legalBasis: 'legitimate_interest', objectable: true });

    const granted = await browser.submit(consents, '/account/consents/purposes/loyalty', {});
    expect(granted.html).toContain('your consent is recorded');
    const renamed = await call('/purposes/loyalty', { method: 'PUT', body: { ...loyalty, texts: { en: { name: 'Rewards club', description: 'Points.' } }, dataCategories: ['purchases', 'store visits'] } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ dataCategories: ['purchases', 'store visits'] });
    expect((await browser.get(`${server.url}/account/consents`)).html).toContain('Rewards club');

    const rebased = await call('/purposes/loyalty', { method: 'PUT', body: { ...loyalty, legalBasis: 'legitimate_interest' } });
    expect(rebased.status).toBe(409);
    expect(rebased.body).toMatchObject({ error: 'purpose.legal_basis_locked', message: expect.stringContaining('Define a new purpose instead') });
    const disclosed = await call('/purposes/loyalty', { method: 'PUT', body: { ...loyalty, thirdPartyDisclosure: true } });
    expect(disclosed.status).toBe(409);
    expect(disclosed.body).toMatchObject({ error: 'purpose.disclosure_locked' });
    expect((await call('/purposes/loyalty')).body).toMatchObject({ legalBasis: 'consent', thirdPartyDisclosure: false });
    expect(await server.services.purposes.isProcessingAllowed((await server.services.accounts.findAccountByEmail(email))!.id, 'loyalty')).toMatchObject({ allowed: true });
  });

  it('a profile field may serve a purpose once it exists', async () => {
    expect((await call('/profile-fields/store', { method: 'PUT', body: { label: { en: 'Favourite store' }, purpose: 'rewards' } })).status).toBe(400);
    expect((await call('/profile-fields/store', { method: 'PUT', body: { label: { en: 'Favourite store' }, purpose: 'loyalty' } })).status).toBe(201);
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const cases: [string, unknown, string][] = [
      ['/purposes/loyalty', { ...loyalty, legalBasis: 'whim' }, 'legalBasis'],
      ['/purposes/loyalty', { ...loyalty, texts: {} }, 'texts: needs at least one locale'],
      ['/purposes/loyalty', { ...loyalty, texts: { en: { name: '' } } }, 'texts.en'],
      ['/purposes/loyalty', { ...loyalty, id: 'other' }, 'id'],
      ['/purposes/Bad:Id', loyalty, 'id: must be lower-case'],
      ['/purposes/loyalty', 'null', 'expected object'],
      ['/topics/news', { texts: loyalty.texts, channels: ['fax'] }, 'channels.0'],
      ['/topics/news', { texts: loyalty.texts, channels: ['push'] }, 'channels: push is not among the channels offered'],
      ['/topics/news', { texts: loyalty.texts, channels: [] }, 'channels'],
    ];
    for (const [path, body, message] of cases) {
      const res = await call(path, { method: 'PUT', body });
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(String(res.body!.message), `${path} ${JSON.stringify(body)}`).toContain(message);
    }
    expect((await call('/purposes/nothing')).status).toBe(404);
  });
});

describe('topics', () => {
  it('lists, creates and changes topics; a channel a customer chose on stays', async () => {
    expect((await call('/topics')).body!.topics).toEqual([expect.objectContaining({ id: 'news', channels: ['email', 'sms'] })]);
    const offers = await call('/topics/offers', { method: 'PUT', body: { texts: { en: { name: 'Special offers', description: 'Now and then.' } }, channels: ['email'] } });
    expect(offers.status).toBe(201);
    const browser = newBrowser();
    const page = await signInToAccount(server, browser, email, password, '/account/preferences');
    expect(page.html).toContain('Special offers');
    await browser.submit(page, '/account/preferences', { topic: 'news', channel: 'sms', choice: 'in' });
    const taken = await call('/topics/news', { method: 'PUT', body: { texts: { en: { name: 'News', description: 'Ours.' } }, channels: ['email'] } });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: 'topic.channel_in_use', message: expect.stringContaining('sms') });
    const renamed = await call('/topics/news', { method: 'PUT', body: { texts: { en: { name: 'Letters from us', description: 'Ours.' } }, channels: ['sms', 'email'] } });
    expect(renamed.status).toBe(200);
    expect((await browser.get(`${server.url}/account/preferences`)).html).toContain('Letters from us');
  });
});

describe('documents', () => {
  it('lists the documents with their versions', async () => {
    const listed = await call('/documents');
    expect(listed.body!.documents).toEqual([expect.objectContaining({ id: 'terms', required: true, versions: [expect.objectContaining({ version: '1', material: true, url: null })] })]);
  });

  it('a material version published through the API asks at the next sign-in; an editorial or scheduled one does not', async () => {
    const published = await call('/documents/terms/versions', { method: 'POST', body: { version: '2', url: 'https://example.com/terms/2' } });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ document: 'terms', version: '2', material: true, url: 'https://example.com/terms/2', publishedAt: expect.any(String) });
    const asked = await signIn();
    expect(asked.page.html).toContain('Our terms have changed');
    expect(asked.page.html).toContain('version 2');
    const accepted = await consentIfAsked(asked.browser, await asked.browser.submit(asked.page, '/terms', { accept: 'yes' }));
    expect(accepted.url.startsWith(CALLBACK)).toBe(true);

    expect((await call('/documents/terms/versions', { method: 'POST', body: { version: '2.1', material: false } })).status).toBe(201);
    const later = new Date(Date.now() + 86_400_000).toISOString();
    expect((await call('/documents/terms/versions', { method: 'POST', body: { version: '3', publishedAt: later } })).body).toMatchObject({ publishedAt: later });
    const versions = ((await call('/documents')).body!.documents as { versions: { version: string }[] }[])[0]!.versions.map((v) => v.version);
    expect(versions).toEqual(['3', '2.1', '2', '1']);
    expect((await signIn()).page.url.startsWith(CALLBACK)).toBe(true);
  });

  it('refuses an existing version, an unknown document and bad input', async () => {
    const again = await call('/documents/terms/versions', { method: 'POST', body: { version: '2' } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'document.version_exists', message: expect.stringContaining('cannot be changed once published') });
    expect((await call('/documents/nope/versions', { method: 'POST', body: { version: '1' } })).body).toMatchObject({ error: 'document.not_found' });
    const cases: [unknown, string][] = [
      [{}, 'version'],
      [{ version: 'two words' }, 'version: letters, digits'],
      [{ version: '4', url: 'javascript:alert(1)' }, 'url: needs an http(s) URL'],
      [{ version: '4', publishedAt: 'soon' }, 'publishedAt'],
      [{ version: '4', material: 'yes' }, 'material'],
      [{ version: '4', colour: 'red' }, 'colour'],
    ];
    for (const [body, message] of cases) {
      const res = await call('/documents/terms/versions', { method: 'POST', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(String(res.body!.message), JSON.stringify(body)).toContain(message);
    }
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await call('/openapi.json', { token: null })).body!;
    expect(Object.keys(doc.paths as object)).toEqual(expect.arrayContaining(['/purposes', '/purposes/{id}', '/topics/{id}', '/documents', '/documents/{id}/versions']));
    const schemas = (doc.components as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas;
    expect(Object.keys(schemas.DocumentVersionInput!.properties)).toEqual(expect.arrayContaining(['version', 'url', 'material', 'publishedAt']));
    expect(Object.keys(schemas.PurposeInput!.properties)).toEqual(expect.arrayContaining(['legalBasis', 'texts', 'dataCategories']));
  });
});
