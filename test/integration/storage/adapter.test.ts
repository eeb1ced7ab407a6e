// The adapter contract, on whichever database this run uses (PGlite, or PostgreSQL with DATABASE_URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createAdapterClass, createOidcModelQueries } from '../../../src/oidc/adapter.ts';
import { createClientStore } from '../../../src/oidc/clients.ts';
import { createSecretBox } from '../../../src/security/envelope.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
let Adapter: ReturnType<typeof createAdapterClass>;

beforeAll(async () => {
  handle = await createTestDb();
  Adapter = createAdapterClass(handle.db, createClientStore(handle.db, createSecretBox('x'.repeat(32))), { refreshReuseGraceSeconds: 10 });
});
afterAll(async () => handle?.close());

describe('knex adapter', () => {
  it('stores, finds and destroys a model by id', async () => {
    const sessions = new Adapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'acc-1', exp: 1 } as never, 60);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'acc-1' });
    expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'acc-1' });
    await sessions.upsert('s1', { uid: 'u1', accountId: 'acc-2' } as never, 60);
    expect(await sessions.find('s1')).toMatchObject({ accountId: 'acc-2' });
    await sessions.destroy('s1');
    expect(await sessions.find('s1')).toBeUndefined();
  });

  it('keeps models apart by name', async () => {
    await new Adapter('AccessToken').upsert('same', { kind: 'AccessToken' } as never, 60);
    await new Adapter('AuthorizationCode').upsert('same', { kind: 'AuthorizationCode' } as never, 60);
    expect(await new Adapter('AccessToken').find('same')).toMatchObject({ kind: 'AccessToken' });
  });

  it('finds a device code by its user code', async () => {
    await new Adapter('DeviceCode').upsert('d1', { userCode: 'ABCD-EFGH' } as never, 60);
    expect(await new Adapter('DeviceCode').findByUserCode('ABCD-EFGH')).toMatchObject({ userCode: 'ABCD-EFGH' });
  });

  it('does not return expired rows, and sweeps them in batches', async () => {
    const tokens = new Adapter('AccessToken');
    await tokens.upsert('old1', { grantId: 'g-old' } as never, 60);
    await tokens.upsert('old2', { grantId: 'g-old' } as never, 60);
    await handle.db('oidc_models').whereIn('id', ['old1', 'old2']).update({ expires_at: new Date(Date.now() - 1000) });
    expect(await tokens.find('old1')).toBeUndefined();
    const models = createOidcModelQueries(handle.db);
    expect(await models.sweepExpiredModels(1)).toBe(1);
    expect(await models.sweepExpiredModels(10)).toBe(1);
    expect(await models.sweepExpiredModels(10)).toBe(0);
  });

  it('consumes an authorization code exactly once, even when two requests race', async () => {
    const codes = new Adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' } as never, 60);
    const results = await Promise.allSettled([codes.consume('c1'), codes.consume('c1')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((await codes.find('c1'))?.consumed).toBeTypeOf('number');
  });

  it('keeps a rotated refresh token usable during the grace, then reports it consumed', async () => {
    const refresh = new Adapter('RefreshToken');
    await refresh.upsert('r1', { grantId: 'g2' } as never, 600);
    await refresh.consume('r1');
    expect((await refresh.find('r1'))?.consumed).toBeUndefined();
    await refresh.consume('r1'); // a second tab, inside the grace
    await handle.db('oidc_models').where({ id: 'r1' }).update({ consumed_at: new Date(Date.now() - 11_000) });
    expect((await refresh.find('r1'))?.consumed).toBeTypeOf('number');
  });

  it('revokes everything issued under a grant', async () => {
    await new Adapter('AccessToken').upsert('a-g3', { grantId: 'g3' } as never, 60);
    await new Adapter('RefreshToken').upsert('r-g3', { grantId: 'g3' } as never, 60);
    await new Adapter('AccessToken').upsert('a-g4', { grantId: 'g4' } as never, 60);
    await new Adapter('AccessToken').revokeByGrantId('g3');
    expect(await new Adapter('AccessToken').find('a-g3')).toBeUndefined();
    expect(await new Adapter('RefreshToken').find('r-g3')).toBeUndefined();
    expect(await new Adapter('AccessToken').find('a-g4')).toBeDefined();
  });

  it('refuses NUL characters instead of failing inside the database', async () => {
    await expect(new Adapter('Interaction').upsert('i1', { params: { state: 'a\u0000b' } } as never, 60)).rejects.toMatchObject({ statusCode: 400 });
    expect(await new Adapter('Interaction').find('i1')).toBeUndefined();
  });

  it('reads clients from the clients table, with the secret decrypted', async () => {
    const box = createSecretBox('x'.repeat(32));
    const store = createClientStore(handle.db, box);
    const added = await store.addClient({ clientId: 'c-app', redirectUris: ['https://app.example/cb'], public: false });
    const stored = await handle.db('clients').where({ client_id: 'c-app' }).first();
    expect(stored.secret_encrypted).not.toContain(added.client_secret);
    expect(await new Adapter('Client').find('c-app')).toMatchObject({ client_id: 'c-app', client_secret: added.client_secret });
    expect(await new Adapter('Client').find('missing')).toBeUndefined();
  });
});
