// The privacy migration: the restriction and erasure columns exist on accounts, and the migration runs
// twice over its own values without losing them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const ACCOUNT = '00000000-0000-4000-8000-0000000000a7';

describe('the privacy migration', () => {
  it('adds the restriction and erasure columns to accounts', async () => {
    for (const column of ['processing_restricted_at', 'erasure_requested_at', 'erase_after', 'status_before_erasure', 'erased_at']) {
      expect(await handle.db.schema.hasColumn('accounts', column), column).toBe(true);
    }
  });

  it('runs twice over its own values', async () => {
    const { db } = handle;
    const eraseAfter = new Date('2027-01-01T00:00:00Z');
    await db('accounts').insert({ id: ACCOUNT, status: 'disabled', processing_restricted_at: new Date(), erasure_requested_at: new Date(), erase_after: eraseAfter, status_before_erasure: 'active' });
    const migration = await import('../../../migrations/20261201500000_privacy.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    const row = await db('accounts').where({ id: ACCOUNT }).first();
    expect(row).toMatchObject({ status: 'disabled', status_before_erasure: 'active' });
    expect(new Date(row.erase_after).toISOString()).toBe(eraseAfter.toISOString());
    expect(row.processing_restricted_at).not.toBeNull();
  });
});
