// The apps pages (/admin/clients) through HTTP: an operator registers an app (its secret shown once), edits it
// (ID-token algorithm, private_key_jwt with a JWKS URI), rotates its secret and removes it, each behind the
// confirmation a destructive action needs and each audited; a post without the CSRF token, a viewer, and bad
// input (a 400 page with the API's message, linked to its field) change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPageAdmins, pageChangeRoutes, postWithToken, signInToAdmin } from '../../support/admin-pages.ts';
import { CALLBACK } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let operatorId: string;

const REGISTER = {
  client_id: 'shop-web', public: 'no', client_name: 'Shop', redirect_uris: CALLBACK, scope: 'openid email', grant_types: ['authorization_code', 'refresh_token'],
  id_token_signed_response_alg: 'ES256', token_endpoint_auth_method: 'client_secret_basic', mfa: 'optional',
};

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false } } as never);
  ({ operatorId } = await addPageAdmins(server));
});
afterAll(async () => server?.stop());

describe('the apps pages', () => {
  it('registers an app with its secret shown once, edits it, rotates the secret and removes it, each audited', async () => {
    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const form = await browser.get(`${server.url}/admin/clients/new`);
    for (const id of ['client-client_id', 'client-redirect_uris', 'client-id_token_signed_response_alg', 'client-token_endpoint_auth_method', 'client-jwks_uri']) expect(form.html).toContain(`<label for="${id}">`);
    const created = await browser.submit(form, '/admin/clients/new', REGISTER);
    expect(created.status).toBe(200);
    const secret = /id="client-secret">([^<]+)</.exec(created.html)?.[1];
    expect(secret).toMatch(/^\S{32,}$/);
    expect((await browser.get(`${server.url}/admin/clients/shop-web/edit`)).html).not.toContain(secret!);

    const edit = await browser.get(`${server.url}/admin/clients/shop-web/edit`);
    const saved = await browser.submit(edit, '/admin/clients/shop-web/edit', {
      client_name: 'Shop web', redirect_uris: `${CALLBACK}\nhttps://shop.example/cb`, scope: 'openid email', grant_types: ['authorization_code'],
      id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://shop.example/jwks.json',
    });
    expect(new URL(saved.url).pathname).toBe('/admin/clients/shop-web/edit');
    expect(saved.html).toContain('Saved.');
    const client = (await server.services.clients.showClient('shop-web'))!;
    expect(client).toMatchObject({
      client_name: 'Shop web', redirect_uris: [CALLBACK, 'https://shop.example/cb'], grant_types: ['authorization_code'], id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://shop.example/jwks.json',
    });
    // Back to a secret: the new secret is made and shown once.
    const back = await browser.submit(saved, '/admin/clients/shop-web/edit', { token_endpoint_auth_method: 'client_secret_post', jwks_uri: '' });
    expect(back.html).toMatch(/id="client-secret">\S{32,}</);

    const page = await browser.get(`${server.url}/admin/clients/shop-web/edit`);
    const asked = await browser.submit(page, '/admin/clients/shop-web/rotate-secret', {});
    expect(asked.html).toContain('Rotate the secret of shop-web?');
    const rotated = await browser.submit(asked, '/admin/clients/shop-web/rotate-secret', {});
    const newSecret = /id="client-secret">([^<]+)</.exec(rotated.html)?.[1];
    expect(newSecret).toMatch(/^\S{32,}$/);
    expect(newSecret).not.toBe(secret);

    const removeAsked = await browser.submit(page, '/admin/clients/shop-web/remove', {});
    expect(removeAsked.html).toContain('Remove shop-web?');
    expect(await server.services.clients.showClient('shop-web')).toBeDefined();
    const removed = await browser.submit(removeAsked, '/admin/clients/shop-web/remove', {});
    expect(new URL(removed.url).pathname).toBe('/admin/clients');
    expect(removed.html).toContain('Removed shop-web.');
    expect(await server.services.clients.showClient('shop-web')).toBeUndefined();
    expect(await pageChangeRoutes(server, operatorId)).toEqual([
      '/admin/clients/new', '/admin/clients/:id/edit', '/admin/clients/:id/edit', '/admin/clients/:id/rotate-secret', '/admin/clients/:id/remove',
    ]);
    const events = JSON.stringify(await server.dbHandle.db('events').where({ type: 'admin.changed' }));
    expect(events).not.toContain(secret!);
    expect(events).not.toContain(newSecret!);
  });

  it('refuses bad input with a 400 page naming the problem, linked to its field, and saves nothing', async () => {
    const { browser } = await signInToAdmin(server, 'operator@example.com');
    const form = await browser.get(`${server.url}/admin/clients/new`);
    const bad = await browser.submit(form, '/admin/clients/new', { ...REGISTER, client_id: 'bad app', redirect_uris: 'not a url' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('id="error-summary"');
    expect(bad.html).toContain('href="#client-client_id">client_id: letters, digits');
    expect(bad.html).toContain('href="#client-redirect_uris">redirect_uris.0: needs an http(s) URL');
    expect(bad.html).toContain('value="bad app"');
    const keyless = await browser.submit(form, '/admin/clients/new', { ...REGISTER, token_endpoint_auth_method: 'private_key_jwt' });
    expect(keyless.status).toBe(400);
    expect(keyless.html).toContain('href="#client-token_endpoint_auth_method">token_endpoint_auth_method private_key_jwt needs jwks_uri');
    expect(await server.services.clients.showClient('bad app')).toBeUndefined();
    expect(await server.services.clients.showClient('shop-web')).toBeUndefined();

    await browser.submit(form, '/admin/clients/new', { ...REGISTER, client_id: 'kept' });
    const edit = await browser.get(`${server.url}/admin/clients/kept/edit`);
    const refused = await browser.submit(edit, '/admin/clients/kept/edit', { id_token_signed_response_alg: 'HS256', client_name: 'Changed' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('id_token_signed_response_alg: is not one of ES256, RS256');
    expect((await server.services.clients.showClient('kept'))!.client_name).toBe('Shop');
    const ownPage = await browser.get(`${server.url}/admin/clients/foyer-account/edit`);
    expect(ownPage.html).not.toContain('/admin/clients/foyer-account/remove');
    const own = await postWithToken(browser, server, ownPage, '/admin/clients/foyer-account/remove', { confirm: 'yes' });
    expect(own.status).toBe(409);
    expect(await server.services.clients.showClient('foyer-account')).toBeDefined();
  });

  it('refuses a post without the CSRF token, and a viewer, with a page saying what is missing', async () => {
    const operator = await signInToAdmin(server, 'operator@example.com');
    const form = await operator.browser.get(`${server.url}/admin/clients/new`);
    expect((await operator.browser.submit(form, '/admin/clients/new', { ...REGISTER, client_id: 'no-csrf' }, { omitCsrf: true })).status).toBe(403);
    expect(await server.services.clients.showClient('no-csrf')).toBeUndefined();

    const viewer = await signInToAdmin(server, 'viewer@example.com');
    const list = await viewer.browser.get(`${server.url}/admin/clients`);
    expect(list.status).toBe(200);
    expect(list.html).toContain('data-client="kept"');
    const refused = await postWithToken(viewer.browser, server, list, '/admin/clients/kept/remove', { confirm: 'yes' });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('This needs the operator role; your role is viewer.');
    expect(await server.services.clients.showClient('kept')).toBeDefined();
  });
});
