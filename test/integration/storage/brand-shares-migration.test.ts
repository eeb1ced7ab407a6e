// The brand sharing migration: one row per account and brand, at most one home brand per account, the
// ledger takes `brand_sharing` records; running it again changes nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

describe('the brand shares migration', () => {
  it('keeps one home per account, one answer per brand, and runs twice', async () => {
    const { db } = handle;
    const migration = await import('../../../migrations/20261203130000_brand_shares.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    await db('brands').insert({ id: 'acme', name: 'Acme' });
    const accountId = randomUUID();
    await db('accounts').insert({ id: accountId, status: 'active' });
    await db('brand_shares').insert({ account_id: accountId, brand_id: 'default', home: true });
    await expect(db('brand_shares').insert({ account_id: accountId, brand_id: 'acme', home: true })).rejects.toThrow();
    await db('brand_shares').insert({ account_id: accountId, brand_id: 'acme', fields: JSON.stringify(['given_name']) });
    await expect(db('brand_shares').insert({ account_id: accountId, brand_id: 'acme' })).rejects.toThrow();
    await db('consent_records').insert({ id: `rcpt_${randomUUID()}`, account_id: accountId, subject_kind: 'brand_sharing', subject_ref: 'acme', action: 'grant', details: '{}', legal_basis: 'consent', channel: 'sign-in' });
    await db('brands').where({ id: 'acme' }).del();
    expect(await db('brand_shares').where({ account_id: accountId }).pluck('brand_id')).toEqual(['default']);
  });
});
