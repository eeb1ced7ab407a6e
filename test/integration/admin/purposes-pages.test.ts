// The purposes and topics pages under /admin over HTTP: an operator creates and edits a purpose and a topic
// (audited with the admin actor), its name and description in each language (a reader of that language sees
// them; saving one language keeps the others); a bad form is a 400 page listing its problems linked to their
// fields, and saves nothing (an id taken included); no CSRF token, or a viewer:
// refused, nothing saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, VIEWER, pageAudit, postWithToken, signInToAdmin, startAdminPagesServer } from '../../support/admin-pages.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startAdminPagesServer();
}, 60_000);
afterAll(async () => server?.stop());

describe('the purposes and topics pages', () => {
  it('let an operator create and edit a purpose and a topic, audited', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const list = await browser.get(`${server.url}/admin/purposes`);
    expect(list.status).toBe(200);
    expect(list.html).toContain('data-purpose="marketing"');
    const made = await browser.submit(list, '/admin/purposes', { id: 'surveys', legalBasis: 'consent', name: 'Surveys', description: 'We ask your opinion now and then.', dataCategories: 'email, survey answers' });
    expect(new URL(made.url).pathname).toBe('/admin/purposes/surveys');
    expect(made.html).toContain('Purpose created.');
    expect(await server.services.consentRegistry.findPurpose('surveys')).toMatchObject({ legalBasis: 'consent', dataCategories: ['email', 'survey answers'], texts: { en: { name: 'Surveys' } } });
    const edited = await browser.submit(made, '/admin/purposes/surveys', { legalBasis: 'consent', name_en: 'Opinion surveys', description_en: 'We ask your opinion now and then.', dataCategories: 'email', thirdPartyDisclosure: 'on' });
    expect(edited.html).toContain('Saved.');
    expect(await server.services.consentRegistry.findPurpose('surveys')).toMatchObject({ thirdPartyDisclosure: true, texts: { en: { name: 'Opinion surveys' } } });

    const topics = await browser.get(`${server.url}/admin/purposes`);
    const topic = await browser.submit(topics, '/admin/topics', { id: 'offers', name: 'Offers', description: 'Discounts and sales.', channels: 'email sms' });
    expect(topic.html).toContain('Topic created.');
    const topicEdited = await browser.submit(topic, '/admin/topics/offers', { name_en: 'Offers', description_en: 'Discounts and sales.', channels: 'email' });
    expect(topicEdited.html).toContain('Saved.');
    expect((await server.services.consentRegistry.listTopics()).find((t) => t.id === 'offers')).toMatchObject({ channels: ['email'] });
    for (const route of ['/admin/purposes', '/admin/purposes/:id', '/admin/topics', '/admin/topics/:id']) {
      expect((await pageAudit(server, route))[0], route).toMatchObject({ actor: expect.stringMatching(/^admin:/) });
    }
  });

  it('edit the name and description in each language: a Polish reader sees the Polish, the others keep theirs', async () => {
    const { call } = await createAdminApi(server);
    // German set through the API, and a regional variant the pages do not list: neither is dropped by the pages.
    const marketing = (await server.services.consentRegistry.findPurpose('marketing'))!;
    const extra = { de: { name: 'Werbung', description: 'Neuigkeiten und Angebote.' }, 'pt-BR': { name: 'Ofertas', description: 'Novidades.' } };
    expect((await call('/purposes/marketing', { method: 'PUT', body: { legalBasis: marketing.legalBasis, texts: { ...marketing.texts, ...extra }, dataCategories: marketing.dataCategories } })).status).toBe(200);

    const { browser } = await signInToAdmin(server, OPERATOR);
    const page = await browser.get(`${server.url}/admin/purposes/marketing`);
    expect(page.status).toBe(200);
    // One fieldset per language, each box marked with its language and direction; English required, German filled in.
    expect(page.html.match(/<fieldset>/g)).toHaveLength(8);
    expect(page.html).toMatch(/<input id="edit-purpose-name_en" name="name_en" type="text" value="Marketing" lang="en" dir="ltr" required/);
    expect(page.html).toMatch(/<input id="edit-purpose-name_ar" name="name_ar" type="text" value="" lang="ar" dir="rtl" aria-describedby/);
    expect(page.html).toMatch(/<textarea id="edit-purpose-description_pl" name="description_pl" rows="4" lang="pl" dir="ltr">/);
    expect(page.html).toContain('value="Werbung" lang="de"');
    expect(page.html).toContain('<legend>Polish</legend>');

    // A Polish name with no description is refused at its box, and nothing is saved.
    const half = await browser.submit(page, '/admin/purposes/marketing', { legalBasis: 'consent', name_pl: 'Marketing po polsku', description_pl: '' });
    expect(half.status).toBe(400);
    expect(half.html).toMatch(/<a href="#edit-purpose-description_pl">texts\.pl\.description: /);
    expect((await server.services.consentRegistry.findPurpose('marketing'))!.texts.pl).toBeUndefined();

    // The whole form as the page drew it, with Polish filled in.
    const saved = await browser.submit(page, '/admin/purposes/marketing', {
      legalBasis: 'consent', dataCategories: marketing.dataCategories.join(', '), name_en: 'Marketing', description_en: marketing.texts.en!.description,
      name_de: 'Werbung', description_de: 'Neuigkeiten und Angebote.', name_pl: 'Oferty i nowości', description_pl: 'Za Twoją zgodą wysyłamy Ci nowości i oferty.',
      ...Object.fromEntries(['ar', 'ru', 'pt', 'fr', 'es'].flatMap((lang) => [[`name_${lang}`, ''], [`description_${lang}`, '']])),
    });
    expect(saved.html).toContain('Saved.');
    expect(saved.html).toContain('value="Oferty i nowości" lang="pl"');
    expect((await pageAudit(server, '/admin/purposes/:id'))[0]).toMatchObject({ actor: expect.stringMatching(/^admin:/) });
    expect((await server.services.consentRegistry.findPurpose('marketing'))!.texts).toEqual({
      en: marketing.texts.en, ...extra, pl: { name: 'Oferty i nowości', description: 'Za Twoją zgodą wysyłamy Ci nowości i oferty.' },
    });
    // A form that sends one language (an older page) changes that one and keeps every other.
    await browser.submit(page, '/admin/purposes/marketing', { legalBasis: 'consent', dataCategories: marketing.dataCategories.join(', '), name_pl: 'Oferty', description_pl: 'Nowości i oferty.' });
    expect((await server.services.consentRegistry.findPurpose('marketing'))!.texts).toEqual({ en: marketing.texts.en, ...extra, pl: { name: 'Oferty', description: 'Nowości i oferty.' } });

    // Readers: Polish sees the Polish name, English the English one, on /privacy.
    const polish = await (await fetch(`${server.url}/privacy`, { headers: { 'accept-language': 'pl' } })).text();
    expect(polish).toContain('Oferty');
    expect(polish).toContain('Nowości i oferty.');
    const english = await (await fetch(`${server.url}/privacy`, { headers: { 'accept-language': 'en' } })).text();
    expect(english).toContain(marketing.texts.en!.name);
    expect(english).not.toContain('Oferty');

    // A topic the same way; emptying a language removes it (its readers fall back to the default language).
    const topicPage = await browser.get(`${server.url}/admin/topics/news`);
    await browser.submit(topicPage, '/admin/topics/news', { channels: 'email', name_pl: 'Wiadomości', description_pl: 'Nasz biuletyn.' });
    expect((await fetch(`${server.url}/privacy`, { headers: { 'accept-language': 'pl' } }).then((r) => r.text()))).toContain('Wiadomości');
    const news = (await server.services.consentRegistry.listTopics()).find((topic) => topic.id === 'news')!;
    expect(news.texts.en?.name).toBe('News and offers');
    await browser.submit(topicPage, '/admin/topics/news', { channels: 'email', name_pl: '', description_pl: '' });
    expect((await server.services.consentRegistry.listTopics()).find((topic) => topic.id === 'news')!.texts).toEqual({ en: news.texts.en });
  });

  it('name each legal basis and word the schema\'s problems in the operator\'s language', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    await browser.get(`${server.url}/language/pl?next=/admin`);
    const list = await browser.get(`${server.url}/admin/purposes`);
    expect(list.html).toMatch(/<option value="legitimate_interest"[^>]*>Prawnie uzasadniony interes<\/option>/);
    const bad = await browser.submit(list, '/admin/purposes', { id: 'ankiety', legalBasis: 'whim', name: 'Ankiety', description: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.html).toMatch(/<a href="#new-purpose-legalBasis">legalBasis: Nieprawidłowa opcja/);
    expect(bad.html).not.toContain('Invalid option');
    expect(await server.services.consentRegistry.findPurpose('ankiety')).toBeUndefined();
  });

  it('answer bad input with a 400 page listing each problem linked to its field, and save nothing', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const list = await browser.get(`${server.url}/admin/purposes`);
    const bad = await browser.submit(list, '/admin/purposes', { id: 'Bad Id', legalBasis: 'whim', name: '', description: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('The form has problems; nothing was saved');
    expect(bad.html).toMatch(/<a href="#new-purpose-id">id: must be lower-case/);
    expect(bad.html).toMatch(/<a href="#new-purpose-legalBasis">legalBasis: /);
    expect(bad.html).toMatch(/<a href="#new-purpose-name">texts\.en\.name: /);
    expect(bad.html).toContain('aria-describedby="new-purpose-name-error"');
    const taken = await browser.submit(list, '/admin/purposes', { id: 'marketing', legalBasis: 'consent', name: 'M', description: 'M' });
    expect(taken.status).toBe(409);
    expect(taken.html).toContain('a purpose marketing exists');
    const badTopic = await browser.submit(list, '/admin/topics', { id: 'pigeons', name: 'P', description: 'P', channels: 'pigeon' });
    expect(badTopic.status).toBe(400);
    expect(badTopic.html).toMatch(/<a href="#new-topic-channels">channels\.0: /);
    expect(await server.services.consentRegistry.findPurpose('marketing')).toMatchObject({ texts: { en: { name: 'Marketing' } } });
    expect((await server.services.consentRegistry.listTopics()).map((t) => t.id)).not.toContain('pigeons');
    expect(await server.services.consentRegistry.findPurpose('bad id')).toBeUndefined();
  });

  it('refuse a post without the CSRF token, and a viewer, saving nothing', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const list = await browser.get(`${server.url}/admin/purposes`);
    const forged = await browser.submit(list, '/admin/purposes', { id: 'forged', legalBasis: 'consent', name: 'F', description: 'F' }, { omitCsrf: true });
    expect(forged.status).toBe(403);
    const viewer = await signInToAdmin(server, VIEWER, '/admin/purposes/marketing');
    expect(viewer.page.status).toBe(200);
    const refused = await postWithToken(viewer.browser, server, viewer.page, '/admin/purposes/marketing', { legalBasis: 'consent', name_en: 'Hijacked', description_en: 'x' });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('This needs the operator role; your role is viewer.');
    expect(await server.services.consentRegistry.findPurpose('marketing')).toMatchObject({ texts: { en: { name: 'Marketing' } } });
    expect(await server.services.consentRegistry.findPurpose('forged')).toBeUndefined();
  });
});
