// The profile domain as the account pages and the admin use it: the schema seeded from config only where
// absent (the database is authoritative), each field with value, label, purpose and provenance, values set
// with validation and their source, and a schema change reaching the running Provider's scopes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileFieldSchema } from '../../../src/config/profile-fields.ts';
import { effectiveScopeClaims } from '../../../src/consent/scope-claims.ts';
import { createFindAccount } from '../../../src/oidc/claims.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { NAMESPACE, profileConfig, PURPOSES } from './support.ts';

let server: TestServer;
let accountId: string;

beforeAll(async () => {
  server = await startTestServer({ profile: profileConfig, consent: { purposes: PURPOSES } } as never);
  accountId = (await server.services.accounts.insertAccount({ email: 'eve@example.com', status: 'active', emailVerified: true })).id;
});
afterAll(async () => server?.stop());

describe('the schema in the database', () => {
  it('was seeded from config in its order, and a second seed keeps what an admin changed', async () => {
    expect(server.services.profile.current().fields.map((f) => f.key)).toEqual(['given_name', 'family_name', 'nickname', 'birthdate', 'favourite_colour', 'shoe_size']);
    await server.dbHandle.db('profile_fields').where({ key: 'nickname' }).update({ definition: JSON.stringify(profileFieldSchema.parse({ key: 'nickname', label: { en: 'Pet name' } })) });
    await server.services.profile.seedAndLoad();
    expect(server.services.profile.current().byKey.get('nickname')!.label).toEqual({ en: 'Pet name' });
  });

  it('a new custom scope defined in the database reaches the running Provider (discovery) after the refresh', async () => {
    await server.services.profile.defineField(profileFieldSchema.parse({ key: 'loyalty_tier', label: { en: 'Loyalty tier' }, scope: 'loyalty' }), 10);
    expect(await server.host.refreshIfKeysChanged()).toBe(true);
    const discovery = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json() as { scopes_supported: string[]; claims_supported: string[] };
    expect(discovery.scopes_supported).toContain('loyalty');
    expect(discovery.claims_supported).toContain(`${NAMESPACE}loyalty_tier`);
    expect(await server.host.refreshIfKeysChanged()).toBe(false);
    // A client registered with it gets it as an OpenID scope, not an API scope.
    const client = await server.services.clients.addClient({ clientId: 'club', redirectUris: ['https://club.example/cb'], public: true, scope: 'openid loyalty' });
    expect(client.scope).toBe('openid loyalty');
    expect((await server.services.clients.findClientMetadata('club'))!.foyer_api_scopes).toEqual([]);
  });
});

describe('the account\'s own profile', () => {
  it('sets values with validation and records who set them and when', async () => {
    const profile = server.services.profile;
    expect(await profile.setFieldFromForm({ accountId, field: 'shoe_size', raw: ['12'] })).toMatchObject({ status: 'invalid', message: 'Shoe size must be at least 30.' });
    expect(await profile.setFieldFromForm({ accountId, field: 'shoe_size', raw: ['42'] })).toEqual({ status: 'ok' });
    expect(await profile.setFieldValue({ accountId, field: 'birthdate', value: '1985-07-01', source: 'import' })).toEqual({ status: 'ok' });
    expect(await profile.setFieldValue({ accountId, field: 'given_name', value: 'Eve', source: 'social:acme' })).toEqual({ status: 'ok' });
    expect(await profile.setFieldValue({ accountId, field: 'no_such', value: 'x', source: 'admin' })).toEqual({ status: 'unknown_field' });
    await expect(profile.setFieldValue({ accountId, field: 'given_name', value: 'x', source: 'somebody' as never })).rejects.toThrow();

    const fields = await profile.listAccountProfile(accountId, ['fr']);
    const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
    expect(byKey.given_name).toMatchObject({ label: 'Prénom', value: 'Eve', source: 'social:acme', purpose: 'account', scope: 'profile', claim: 'given_name' });
    expect(byKey.shoe_size).toMatchObject({ value: 42, source: 'customer', claim: `${NAMESPACE}shoe_size`, scope: 'preferences' });
    expect(byKey.birthdate).toMatchObject({ value: '1985-07-01', source: 'import', purpose: 'age-check' });
    expect(byKey.shoe_size!.updatedAt).toBeInstanceOf(Date);
    expect(byKey.family_name).toMatchObject({ value: null, source: null, updatedAt: null });
  });

  it('a customer changing a value imported from social makes it theirs; clearing removes it', async () => {
    const profile = server.services.profile;
    await profile.setFieldFromForm({ accountId, field: 'given_name', raw: ['Evelyn'] });
    expect((await profile.listAccountProfile(accountId)).find((f) => f.key === 'given_name')).toMatchObject({ value: 'Evelyn', source: 'customer' });
    await profile.setFieldFromForm({ accountId, field: 'given_name', raw: [''] });
    expect((await profile.listAccountProfile(accountId)).find((f) => f.key === 'given_name')).toMatchObject({ value: null, source: null });
    const events = (await server.services.events.listEventsOfAccount(accountId)).filter((e) => e.type === 'profile.updated');
    expect(events[0]!.data).toMatchObject({ fields: ['given_name'], source: 'customer', cleared: true });
  });
});

describe('claims built from profile values', () => {
  it('a stored value never stands in for sub or email', async () => {
    const db = server.dbHandle.db;
    await db('profile_values').insert([
      { account_id: accountId, field: 'sub', value: JSON.stringify('someone-else'), source: 'import' },
      { account_id: accountId, field: 'email', value: JSON.stringify('ceo@bank.example'), source: 'import' },
    ]);
    const findAccount = createFindAccount(server.services.accounts, server.services.fieldRelease, () => effectiveScopeClaims(server.services.profile.current()));
    const found = await findAccount({} as never, accountId);
    const claims = await found!.claims('userinfo', 'openid email profile', {}, []);
    expect(claims).toMatchObject({ sub: accountId, email: 'eve@example.com' });
  });
});
