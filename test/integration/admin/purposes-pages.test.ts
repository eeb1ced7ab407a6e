// The purposes and topics pages under /admin over HTTP: an operator creates and edits a purpose and a topic
// (audited with the admin actor); a bad form is a 400 page listing its problems linked to their fields, and
// saves nothing (an id taken included); no CSRF token, or a viewer:
// refused, nothing saved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, VIEWER, pageAudit, postWithToken, signInToAdmin, startAdminPagesServer } from '../../support/admin-pages.ts';
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
    const edited = await browser.submit(made, '/admin/purposes/surveys', { legalBasis: 'consent', name: 'Opinion surveys', description: 'We ask your opinion now and then.', dataCategories: 'email', thirdPartyDisclosure: 'on' });
    expect(edited.html).toContain('Saved.');
    expect(await server.services.consentRegistry.findPurpose('surveys')).toMatchObject({ thirdPartyDisclosure: true, texts: { en: { name: 'Opinion surveys' } } });

    const topics = await browser.get(`${server.url}/admin/purposes`);
    const topic = await browser.submit(topics, '/admin/topics', { id: 'offers', name: 'Offers', description: 'Discounts and sales.', channels: 'email sms' });
    expect(topic.html).toContain('Topic created.');
    const topicEdited = await browser.submit(topic, '/admin/topics/offers', { name: 'Offers', description: 'Discounts and sales.', channels: 'email' });
    expect(topicEdited.html).toContain('Saved.');
    expect((await server.services.consentRegistry.listTopics()).find((t) => t.id === 'offers')).toMatchObject({ channels: ['email'] });
    for (const route of ['/admin/purposes', '/admin/purposes/:id', '/admin/topics', '/admin/topics/:id']) {
      expect((await pageAudit(server, route))[0], route).toMatchObject({ actor: expect.stringMatching(/^admin:/) });
    }
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
    const refused = await postWithToken(viewer.browser, server, viewer.page, '/admin/purposes/marketing', { legalBasis: 'consent', name: 'Hijacked', description: 'x' });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('This needs the operator role; your role is viewer.');
    expect(await server.services.consentRegistry.findPurpose('marketing')).toMatchObject({ texts: { en: { name: 'Marketing' } } });
    expect(await server.services.consentRegistry.findPurpose('forged')).toBeUndefined();
  });
});
