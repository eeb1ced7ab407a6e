// The social-login pages under /admin over HTTP: an operator adds a connector (its secret sealed, never shown
// again), changes it, replaces its secret and turns it off behind a confirmation, each audited with the admin
// actor; a bad form is a 400 page with its problems listed and linked to their fields, and saves nothing; a post
// without the CSRF token is refused; a viewer reads but cannot change anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR, VIEWER, pageAudit, postWithToken, signInToAdmin, startAdminPagesServer } from '../../support/admin-pages.ts';
import type { TestServer } from '../../support/test-server.ts';

let server: TestServer;
const SECRET = 'first-upstream-secret-value';
const ROTATED = 'second-upstream-secret-value';

beforeAll(async () => {
  server = await startAdminPagesServer();
}, 60_000);
afterAll(async () => server?.stop());

const row = (id: string) => server.dbHandle.db('connectors').where({ id }).first();

describe('the social-login pages', () => {
  it('let an operator add, change, re-secret and turn off a connector, audited, never showing the secret', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const list = await browser.get(`${server.url}/admin/connectors`);
    expect(list.status).toBe(200);
    expect(list.html).toContain('<label for="new-connector-clientSecret">');
    const added = await browser.submit(list, '/admin/connectors', { id: 'upstream', kind: 'oidc', name: 'Upstream', clientId: 'foyer', clientSecret: SECRET, issuer: 'https://login.upstream.example' });
    expect(added.status).toBe(200);
    expect(new URL(added.url).pathname).toBe('/admin/connectors/upstream');
    expect(added.html).toContain('Connector added.');
    expect(added.html).not.toContain(SECRET);
    expect((await row('upstream')).secrets_encrypted).not.toContain(SECRET);

    const changed = await browser.submit(added, '/admin/connectors/upstream', { name: 'Upstream ID', scopes: 'openid email' });
    expect(changed.html).toContain('Saved.');
    expect(await row('upstream')).toMatchObject({ name: 'Upstream ID', settings: expect.objectContaining({ scopes: ['openid', 'email'], issuer: 'https://login.upstream.example' }) });

    const before = (await row('upstream')).secrets_encrypted;
    const rotated = await browser.submit(changed, '/admin/connectors/upstream/rotate-secret', { clientSecret: ROTATED });
    expect(rotated.html).toContain('Secret replaced');
    expect(rotated.html).not.toContain(ROTATED);
    expect((await row('upstream')).secrets_encrypted).not.toBe(before);
    expect((await server.services.connectorStore.listConnectors()).find((c) => c.id === 'upstream')?.clientSecret).toBe(ROTATED);

    const confirm = await browser.submit(rotated, '/admin/connectors/upstream/disable', {});
    expect(confirm.html).toContain('Turn off Upstream ID?');
    expect((await row('upstream')).enabled).toBe(true);
    const off = await browser.submit(confirm, '/admin/connectors/upstream/disable', {});
    expect(off.html).toContain('Turned off');
    expect((await row('upstream')).enabled).toBe(false);
    const on = await browser.submit(off, '/admin/connectors/upstream/enable', {});
    expect((await row('upstream')).enabled).toBe(true);
    expect(on.html).toContain('Turned on');

    for (const route of ['/admin/connectors', '/admin/connectors/:id', '/admin/connectors/:id/rotate-secret', '/admin/connectors/:id/disable', '/admin/connectors/:id/enable']) {
      const [event] = await pageAudit(server, route);
      expect(event, route).toMatchObject({ actor: expect.stringMatching(/^admin:/), data: { id: 'upstream' } });
    }
    expect(JSON.stringify(await server.dbHandle.db('events'))).not.toContain(ROTATED);
  });

  it('answer bad input with a 400 page listing each problem linked to its field, and save nothing', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const list = await browser.get(`${server.url}/admin/connectors`);
    const bad = await browser.submit(list, '/admin/connectors', { id: 'Not An Id', kind: 'oidc', clientId: '', clientSecret: SECRET });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('The form has problems; nothing was saved');
    expect(bad.html).toMatch(/<a href="#new-connector-id">id: must be lower-case/);
    expect(bad.html).toMatch(/<a href="#new-connector-clientId">clientId: /);
    expect(bad.html).toContain('id="new-connector-id" name="id" type="text" value="Not An Id" required aria-invalid="true"');
    expect(bad.html).not.toContain(SECRET);
    const noIssuer = await browser.submit(list, '/admin/connectors', { id: 'other', kind: 'oidc', clientId: 'x' });
    expect(noIssuer.status).toBe(400);
    expect(noIssuer.html).toMatch(/<a href="#new-connector-issuer">issuer: is required for kind oidc/);
    const taken = await browser.submit(list, '/admin/connectors', { id: 'upstream', kind: 'oidc', clientId: 'x', issuer: 'https://x.example' });
    expect(taken.status).toBe(409);
    expect(taken.html).toContain('A connector with id upstream exists.');
    const edit = await browser.get(`${server.url}/admin/connectors/upstream`);
    expect((await browser.submit(edit, '/admin/connectors/upstream', { issuer: 'not a url' })).status).toBe(400);
    expect((await browser.submit(edit, '/admin/connectors/upstream/rotate-secret', {})).status).toBe(400);
    expect((await row('upstream')).settings.issuer).toBe('https://login.upstream.example');
    expect(await server.dbHandle.db('connectors').pluck('id')).toEqual(['upstream']);
  });

  it('refuse a post without the CSRF token, and a viewer, saving nothing', async () => {
    const { browser } = await signInToAdmin(server, OPERATOR);
    const list = await browser.get(`${server.url}/admin/connectors`);
    const forged = await browser.submit(list, '/admin/connectors', { id: 'forged', kind: 'oidc', clientId: 'x', issuer: 'https://x.example' }, { omitCsrf: true });
    expect(forged.status).toBe(403);

    const viewer = await signInToAdmin(server, VIEWER, '/admin/connectors');
    expect(viewer.page.status).toBe(200);
    expect(viewer.page.html).toContain('upstream');
    const detail = await viewer.browser.get(`${server.url}/admin/connectors/upstream`);
    expect(detail.status).toBe(200);
    expect(detail.html).not.toContain(ROTATED);
    for (const [path, fields] of [['/admin/connectors', { id: 'byviewer', kind: 'oidc', clientId: 'x', issuer: 'https://x.example' }], ['/admin/connectors/upstream/disable', { confirm: 'yes' }], ['/admin/connectors/upstream/rotate-secret', { clientSecret: 'x' }]] as const) {
      const refused = await postWithToken(viewer.browser, server, detail, path, fields);
      expect(refused.status, path).toBe(403);
      expect(refused.html).toContain('This needs the operator role; your role is viewer.');
    }
    expect(await server.dbHandle.db('connectors').pluck('id')).toEqual(['upstream']);
    expect((await row('upstream')).enabled).toBe(true);
  });
});
