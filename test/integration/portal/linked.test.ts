// The linked accounts section: links listed with connector name, email and times; unlinking needs a fresh
// sign-in and never removes the last sign-in method (a verified email counts: email-code sign-in exists).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { accessTokenFor, ageSignIn, callAccountApi, createPasswordAccount, postForm, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer({ connectors: [{ id: 'acme', kind: 'oidc', name: 'Acme ID', issuer: 'https://id.acme.example', clientId: 'foyer', clientSecret: 'x', scopes: ['openid', 'email'], enabled: true }] });
  app = await createRelyingParty(server, { clientId: 'settings-app', scope: 'openid email account' });
});
afterAll(async () => server?.stop());

const link = (accountId: string, subject: string) => server.services.db('federated_identities').insert({ connector: 'acme', subject, account_id: accountId, email: `${subject}@acme.example` });
const links = async (accountId: string) => (await server.services.db('federated_identities').where({ account_id: accountId })).length;

describe('linked accounts', () => {
  it('lists a link and unlinks it after a fresh sign-in', async () => {
    const id = await createPasswordAccount(server, 'link1@example.com', password);
    await link(id, 'sub-1');
    const browser = new FormBrowser();
    let page = await signInToAccount(server, browser, 'link1@example.com', password, '/account/linked');
    expect(page.html).toContain('Acme ID');
    expect(page.html).toContain('sub-1@acme.example');
    expect(page.html).toMatch(/Linked .+ · last used /);
    await ageSignIn(server, id, 6);
    const stale = await browser.submit(page, '/account/linked/acme/sub-1/unlink', {});
    expect(stale.html).toContain('value="link1@example.com"'); // the sign-in page again
    expect(await links(id)).toBe(1);
    await ageSignIn(server, id, 0);
    page = await browser.submit(page, '/account/linked/acme/sub-1/unlink', {});
    expect(page.html).toContain('no longer linked');
    expect(await links(id)).toBe(0);
    expect((await server.services.events.listEventsOfAccount(id)).map((e) => e.type)).toContain('federation.unlinked');
  });

  it('keeps the last sign-in method: no password, no passkey, an unverified email and one link', async () => {
    const id = await createPasswordAccount(server, 'link2@example.com', password);
    await link(id, 'sub-2');
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, 'link2@example.com', password, '/account/linked');
    await server.services.db('accounts').where({ id }).update({ password_hash: null });
    await server.services.db('account_emails').where({ account_id: id }).update({ verified_at: null });
    const refused = await browser.submit(page, '/account/linked/acme/sub-2/unlink', {});
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('last way you can sign in');
    expect(await links(id)).toBe(1);
    // With the email verified, a mailed code still signs in: the link may go.
    await server.services.db('account_emails').where({ account_id: id }).update({ verified_at: new Date() });
    expect((await browser.submit(page, '/account/linked/acme/sub-2/unlink', {})).html).toContain('no longer linked');
    expect(await links(id)).toBe(0);
  });

  it("refuses another account's link (404) on the page and through the API", async () => {
    const owner = await createPasswordAccount(server, 'link3@example.com', password);
    await link(owner, 'sub-3');
    await createPasswordAccount(server, 'link4@example.com', password);
    const browser = new FormBrowser();
    const page = await signInToAccount(server, browser, 'link4@example.com', password, '/account/linked');
    expect((await postForm(server, browser, page, '/account/linked/acme/sub-3/unlink')).status).toBe(404);
    const { accessToken } = await accessTokenFor(app, 'link4@example.com', password, 'openid account');
    expect((await callAccountApi(server, '/linked', accessToken)).json).toEqual({ links: [] });
    expect((await callAccountApi(server, '/linked/acme/sub-3', accessToken, { method: 'DELETE' })).status).toBe(404);
    expect(await links(owner)).toBe(1);
    const own = await accessTokenFor(app, 'link3@example.com', password, 'openid account');
    expect((await callAccountApi(server, '/linked', own.accessToken)).json.links).toEqual([expect.objectContaining({ connector: 'acme', connector_name: 'Acme ID', subject: 'sub-3' })]);
    expect((await callAccountApi(server, '/linked/acme/sub-3', own.accessToken, { method: 'DELETE' })).status).toBe(204);
  });
});
