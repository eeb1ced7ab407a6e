// The domain behind the account pages' linked identities (the portal renders them): listing, and unlinking
// that never removes the account's last way to sign in. Real database, no pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    connectors: [{ id: 'social', kind: 'oidc', name: 'Social', issuer: 'http://127.0.0.1:9/never-called', clientId: 'x', clientSecret: 'y', scopes: ['openid'], enabled: true }],
  });
}, 60_000);
afterAll(async () => server?.stop());

describe('linked identities', () => {
  it('lists them with the connector name, and unlinks one only while another way in remains', async () => {
    const { accounts, federatedIdentities, linkedIdentities } = server.services;
    const db = server.dbHandle.db;
    // No password, no verified email: its links are its only ways in.
    const account = await accounts.insertAccount({ email: 'unverified@example.com', status: 'active', passwordHash: null, emailVerified: false });
    await federatedIdentities.linkIdentity({ connector: 'social', subject: 'one', accountId: account.id, email: null });
    await federatedIdentities.linkIdentity({ connector: 'gone', subject: 'two', accountId: account.id, email: 'two@example.com' });
    await db('federated_import_permissions').insert({ account_id: account.id, connector: 'social', allowed_fields: JSON.stringify(['given_name']) });
    await db('profile_values').insert({ account_id: account.id, field: 'given_name', value: JSON.stringify('Ada'), source: 'social:social' });

    const listed = await linkedIdentities.listLinkedIdentities(account.id);
    expect(listed.map((i) => [i.connector, i.connectorName, i.subject])).toEqual([['social', 'Social', 'one'], ['gone', 'gone', 'two']]);

    expect(await linkedIdentities.unlinkIdentity({ accountId: '00000000-0000-4000-8000-000000000999', connector: 'social', subject: 'one' })).toEqual({ status: 'not_found' });
    expect(await linkedIdentities.unlinkIdentity({ accountId: account.id, connector: 'social', subject: 'one' })).toEqual({ status: 'unlinked' });
    expect(await db('federated_import_permissions').where({ account_id: account.id })).toHaveLength(0);
    expect(await db('profile_values').where({ account_id: account.id, field: 'given_name' })).toHaveLength(1);
    expect(await db('events').where({ type: 'federation.identity_unlinked', account_id: account.id })).toHaveLength(1);

    // The last one stays.
    expect(await linkedIdentities.unlinkIdentity({ accountId: account.id, connector: 'gone', subject: 'two' })).toEqual({ status: 'last_method' });
    expect(await federatedIdentities.listForAccount(account.id)).toHaveLength(1);

    // With a password (or a verified email, or a passkey) it may go.
    await accounts.updatePasswordHash(account.id, await server.services.hasher.hash('a long and unusual passphrase'));
    expect(await linkedIdentities.unlinkIdentity({ accountId: account.id, connector: 'gone', subject: 'two' })).toEqual({ status: 'unlinked' });
    expect(await linkedIdentities.listLinkedIdentities(account.id)).toEqual([]);
  });

  it('lets an account with a verified email unlink its only identity (a mailed code still signs it in)', async () => {
    const { accounts, federatedIdentities, linkedIdentities } = server.services;
    const account = await accounts.insertAccount({ email: 'verified@example.com', status: 'active', passwordHash: null, emailVerified: true });
    await federatedIdentities.linkIdentity({ connector: 'social', subject: 'solo', accountId: account.id, email: 'verified@example.com' });
    expect(await linkedIdentities.unlinkIdentity({ accountId: account.id, connector: 'social', subject: 'solo' })).toEqual({ status: 'unlinked' });
  });
});
