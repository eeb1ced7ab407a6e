// The profile migration: profile_fields, profile_visits and profile_skips exist with their columns,
// profile_values keeps its meaning (plus client_id), rows go with their account, and it runs twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const ACCOUNT = '00000000-0000-4000-8000-0000000000a5';

describe('the profile migration', () => {
  it('creates its tables and columns', async () => {
    const { db } = handle;
    const columns: Record<string, string[]> = {
      profile_fields: ['key', 'definition', 'position', 'created_at', 'updated_at'],
      profile_visits: ['account_id', 'visits', 'last_visit_at', 'asked_visit', 'asked_fields', 'created_at', 'updated_at'],
      profile_skips: ['account_id', 'field', 'client_id', 'skipped_at', 'created_at', 'updated_at'],
      profile_values: ['account_id', 'field', 'value', 'source', 'client_id', 'created_at', 'updated_at'],
    };
    for (const [table, list] of Object.entries(columns)) {
      for (const column of list) expect(await db.schema.hasColumn(table, column), `${table}.${column}`).toBe(true);
    }
  });

  it('runs twice over its own rows, keeps them, and cascades with the account', async () => {
    const { db } = handle;
    await db('accounts').insert({ id: ACCOUNT, status: 'active' });
    await db('profile_fields').insert({ key: 'colour', definition: JSON.stringify({ key: 'colour', label: { en: 'Colour' } }) });
    await db('profile_visits').insert({ account_id: ACCOUNT, visits: 2 });
    await db('profile_skips').insert({ account_id: ACCOUNT, field: 'colour' });
    await db('profile_values').insert({ account_id: ACCOUNT, field: 'colour', value: JSON.stringify('red'), source: 'import', client_id: 'crm' });
    const migration = await import('../../../migrations/20261201100000_profile.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    expect(await db('profile_fields')).toHaveLength(1);
    expect(await db('profile_visits').where({ account_id: ACCOUNT }).first()).toMatchObject({ visits: 2, asked_fields: [] });
    expect(await db('profile_values').where({ account_id: ACCOUNT }).first()).toMatchObject({ value: 'red', source: 'import', client_id: 'crm' });
    await expect(db('profile_skips').insert({ account_id: ACCOUNT, field: 'colour' })).rejects.toThrow();
    await db('accounts').where({ id: ACCOUNT }).delete();
    for (const table of ['profile_visits', 'profile_skips', 'profile_values']) expect(await db(table).where({ account_id: ACCOUNT }), table).toHaveLength(0);
  });
});
