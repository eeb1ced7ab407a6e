// The federation migration: federated_identities exists, (connector, subject) is unique, links go with
// their account, and the migration runs twice without error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const ACCOUNT = '00000000-0000-4000-8000-0000000000f1';

describe('the federation migration', () => {
  it('creates federated_identities with its columns', async () => {
    const { db } = handle;
    for (const column of ['connector', 'subject', 'account_id', 'email', 'created_at', 'last_used_at']) expect(await db.schema.hasColumn('federated_identities', column), column).toBe(true);
  });

  it('runs twice over its own result, keeps rows, refuses a second link of one subject, and cascades', async () => {
    const { db } = handle;
    await db('accounts').insert({ id: ACCOUNT, status: 'active' });
    await db('federated_identities').insert({ connector: 'c', subject: 's', account_id: ACCOUNT, email: 'a@example.com' });
    const migration = await import('../../../migrations/20261122140000_federation.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    expect(await db('federated_identities').where({ connector: 'c', subject: 's' })).toHaveLength(1);
    await expect(db('federated_identities').insert({ connector: 'c', subject: 's', account_id: ACCOUNT })).rejects.toThrow();
    await db('accounts').where({ id: ACCOUNT }).delete();
    expect(await db('federated_identities').where({ connector: 'c' })).toHaveLength(0);
  });
});

describe('the connectors and imports migration', () => {
  const OTHER = '00000000-0000-4000-8000-0000000000f2';
  it('creates connectors and federated_import_permissions with their columns', async () => {
    const { db } = handle;
    for (const column of ['id', 'kind', 'name', 'enabled', 'settings', 'secrets_encrypted', 'created_at', 'updated_at']) expect(await db.schema.hasColumn('connectors', column), column).toBe(true);
    for (const column of ['account_id', 'connector', 'allowed_fields', 'created_at', 'updated_at']) expect(await db.schema.hasColumn('federated_import_permissions', column), column).toBe(true);
  });

  it('runs twice over its own rows, keeps one choice per account and connector, and the choice goes with its account', async () => {
    const { db } = handle;
    await db('accounts').insert({ id: OTHER, status: 'active' });
    await db('connectors').insert({ id: 'c', kind: 'oidc', name: 'C', settings: JSON.stringify({ clientId: 'x' }) });
    await db('federated_import_permissions').insert({ account_id: OTHER, connector: 'c', allowed_fields: JSON.stringify(['given_name']) });
    const migration = await import('../../../migrations/20261201200000_connectors_and_imports.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    expect(await db('connectors').where({ id: 'c' })).toMatchObject([{ enabled: true, settings: { clientId: 'x' } }]);
    expect(await db('federated_import_permissions').where({ account_id: OTHER })).toMatchObject([{ allowed_fields: ['given_name'] }]);
    await expect(db('federated_import_permissions').insert({ account_id: OTHER, connector: 'c' })).rejects.toThrow();
    await db('accounts').where({ id: OTHER }).delete();
    expect(await db('federated_import_permissions').where({ account_id: OTHER })).toHaveLength(0);
  });
});
