// A lite account's first sign-in through a social connector: its owner proves the address by a mailed code
// (never on the upstream's word alone), then the link activates that same account, keeping its data; an
// unverified upstream email does not get that far.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throughPrompts } from '../../support/journey.ts';
import { codeFrom } from '../../support/smtp-capture.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startAtUpstream, startUpstream, UPSTREAM_CLIENT, type Upstream } from '../federation/upstream.ts';

let upstream: Upstream;
let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  upstream = await startUpstream({ captured: { email: 'captured@example.com', email_verified: true }, claimer: { email: 'other-lite@example.com', email_verified: false } });
  server = await startTestServer({
    outboundAllowPrivate: true,
    connectors: [{ id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email'], enabled: true }],
  });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
}, 90_000);
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

describe('a lite account signing in with a social connector', () => {
  it('activates the same account, linked after a mailed code, keeping its data and without a password', async () => {
    const lite = await server.services.accounts.insertAccount({ email: 'captured@example.com', status: 'lite', emailVerified: true });
    await server.dbHandle.db('profile_values').insert({ account_id: lite.id, field: 'nickname', value: JSON.stringify('Cle'), source: 'api' });
    const { browser, auth, back } = await startAtUpstream(app, 'captured');
    expect(back.url).toContain('/federation/link');
    expect(await server.dbHandle.db('federated_identities').where({ subject: 'captured' })).toHaveLength(0);
    const sent = await browser.submit(back, '/federation/link/send-code', {});
    const mail = await server.smtp.waitForMail('captured@example.com', (m) => m.subject.includes('code to link'));
    const callback = await throughPrompts(browser, await browser.submit(sent, '/federation/link/code', { code: codeFrom(mail) }));
    expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 400)).toBe(true);
    const tokens = await app.exchange(callback.url, auth);
    expect(tokens.claims()!.sub).toBe(lite.id);
    expect(await server.services.accounts.findAccountById(lite.id)).toMatchObject({ status: 'active', passwordHash: null });
    expect(await server.dbHandle.db('federated_identities').where({ connector: 'social', subject: 'captured' }).select('account_id')).toEqual([{ account_id: lite.id }]);
    expect((await server.services.accounts.findAccountWithProfile(lite.id))!.profile).toMatchObject({ nickname: 'Cle' });
  });

  it('an unverified upstream email never takes a lite account over', async () => {
    const lite = await server.services.accounts.insertAccount({ email: 'other-lite@example.com', status: 'lite', emailVerified: true });
    const { back } = await startAtUpstream(app, 'claimer');
    expect(back.url).not.toContain(CALLBACK);
    expect(await server.services.accounts.findAccountById(lite.id)).toMatchObject({ status: 'lite' });
    expect(await server.dbHandle.db('federated_identities').where({ subject: 'claimer' })).toHaveLength(0);
  });
});
