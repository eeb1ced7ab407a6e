// The documents pages under /admin over HTTP: an operator creates a document and publishes versions (a
// material one only after a confirmation page), audited with the admin actor; a bad form is a 400 page
// listing its problems linked to their fields, and saves nothing; no CSRF token, or a viewer: refused.
// Also the admin API's POST /documents and GET /documents/:id.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../support/admin-api.ts';
import { OPERATOR, VIEWER, pageAudit, postWithToken, signInToAdmin, startAdminPagesServer } from '../../support/admin-pages.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;
const versions = async (id: string) => (await server.services.consentRegistry.listDocuments()).find((d) => d.id === id)?.versions.map((v) => v.version);

beforeAll(async () => {
  server = await startAdminPagesServer();
}, 60_000);
afterAll(async () => server?.stop());

describe('the documents pages', () => {
  it('let an operator create a document and publish versions, a material one after a confirmation', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const list = await browser.get(`${server.url}/admin/documents`);
    expect(list.html).toContain('data-document="terms"');
    const made = await browser.submit(list, '/admin/documents', { id: 'privacy-notice', title: 'Privacy notice', required: 'on', version: '2026-12', url: 'https://example.com/privacy', material: 'on' });
    expect(new URL(made.url).pathname).toBe('/admin/documents/privacy-notice');
    expect(made.html).toContain('data-version="2026-12"');

    const editorial = await browser.submit(made, '/admin/documents/privacy-notice/versions', { version: '2026-12a', material: '' });
    expect(editorial.html).toContain('Version 2026-12a published.');
    const confirm = await browser.submit(editorial, '/admin/documents/privacy-notice/versions', { version: '2027-01', material: 'on' });
    expect(confirm.html).toContain('Publish version 2027-01 of Privacy notice?');
    expect(await versions('privacy-notice')).not.toContain('2027-01');
    const published = await browser.submit(confirm, '/admin/documents/privacy-notice/versions', {});
    expect(published.html).toContain('Version 2027-01 published.');
    expect(await versions('privacy-notice')).toEqual(expect.arrayContaining(['2026-12', '2026-12a', '2027-01']));
    expect((await pageAudit(server, '/admin/documents'))[0]).toMatchObject({ actor: expect.stringMatching(/^admin:/), data: { id: 'privacy-notice' } });
    expect((await pageAudit(server, '/admin/documents/:id/versions')).map((e) => e.data.version)).toEqual(['2026-12a', '2027-01']);
  });

  it('answer bad input with a 400 page listing each problem linked to its field, and save nothing', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const list = await browser.get(`${server.url}/admin/documents`);
    const bad = await browser.submit(list, '/admin/documents', { id: 'Bad Id', title: '', version: 'a b', url: 'ftp://x' });
    expect(bad.status).toBe(400);
    expect(bad.html).toMatch(/<a href="#new-document-id">id: /);
    expect(bad.html).toMatch(/<a href="#new-document-title">title: /);
    expect(bad.html).toMatch(/<a href="#new-document-version">versions\.0\.version: /);
    expect(bad.html).toMatch(/<a href="#new-document-url">versions\.0\.url: needs an http\(s\) URL/);
    const taken = await browser.submit(list, '/admin/documents', { id: 'terms', title: 'T', version: '9' });
    expect(taken.status).toBe(409);
    const page = await browser.get(`${server.url}/admin/documents/terms`);
    const badVersion = await browser.submit(page, '/admin/documents/terms/versions', { version: '', publishedAt: 'tomorrow' });
    expect(badVersion.status).toBe(400);
    expect(badVersion.html).toMatch(/<a href="#publish-version-publishedAt">publishedAt: /);
    const again = await browser.submit(page, '/admin/documents/terms/versions', { version: '1', material: '' });
    expect(again.status).toBe(409);
    expect(await versions('terms')).toEqual(['1']);
    expect((await server.services.consentRegistry.listDocuments()).map((d) => d.id)).not.toContain('bad id');
  });

  it('refuse a post without the CSRF token, and a viewer, saving nothing', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const page = await browser.get(`${server.url}/admin/documents/terms`);
    expect((await browser.submit(page, '/admin/documents/terms/versions', { version: '5', material: '' }, { omitCsrf: true })).status).toBe(403);
    const viewer = await signInToAdmin(server, VIEWER, '/admin/documents/terms');
    expect(viewer.page.status).toBe(200);
    const refused = await postWithToken(viewer.browser, server, viewer.page, '/admin/documents/terms/versions', { version: '6', confirm: 'yes', material: 'on' });
    expect(refused.status).toBe(403);
    expect(await versions('terms')).toEqual(['1']);
  });
});

describe('the admin API', () => {
  it('creates a document with its first version and reads one back', async () => {
    const { call } = await createAdminApi(server);
    const created = await call('/documents', { method: 'POST', body: { id: 'cookies', title: 'Cookie policy', required: false, versions: [{ version: '1', material: false }] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'cookies', required: false, versions: [{ version: '1', material: false }] });
    expect((await call('/documents', { method: 'POST', body: { id: 'cookies', title: 'X', versions: [{ version: '1' }] } })).status).toBe(409);
    expect((await call('/documents', { method: 'POST', body: { id: 'empty', title: 'X', versions: [] } })).status).toBe(400);
    expect((await call('/documents/cookies')).body).toMatchObject({ title: 'Cookie policy' });
    expect((await call('/documents/nope')).status).toBe(404);
  });
});
