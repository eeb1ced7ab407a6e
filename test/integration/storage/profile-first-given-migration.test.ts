// The first-given migration: on a database from before it, each profile value gets the app it was first given
// through — from the audit log's first `profile.updated` naming the field since the row was made, else the app
// that last gave it; running it again changes nothing (a value first given without an app stays so).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const migration = async () => await import('../../../migrations/20261203141500_profile_first_given.ts') as { up(knex: unknown): Promise<void> };

describe('the profile first-given migration', () => {
  it('fills the app of first giving from the audit log, else the last app, and runs twice', async () => {
    const { db } = handle;
    // The database as it was before: no first_client_id column.
    await db.raw('ALTER TABLE profile_values DROP COLUMN first_client_id');
    const accountId = randomUUID();
    await db('accounts').insert({ id: accountId, status: 'active' });
    const made = new Date('2026-11-01T10:00:00Z');
    const value = (field: string, clientId: string | null) => ({ account_id: accountId, field, value: JSON.stringify('x'), source: 'customer', client_id: clientId, created_at: made });
    await db('profile_values').insert([value('given_name', 'beta-shop'), value('family_name', 'beta-shop'), value('nickname', null), value('phone_number', 'acme-shop')]);
    const event = (at: string, clientId: string | null, fields: string[]) => ({ id: `evt_${randomUUID()}`, type: 'profile.updated', account_id: accountId, client_id: clientId, data: JSON.stringify({ fields }), created_at: new Date(at) });
    await db('events').insert([
      event('2026-10-01T00:00:00Z', 'gamma-shop', ['given_name']), // before the row was made: a value since removed
      event('2026-11-01T10:00:00Z', 'acme-shop', ['given_name', 'family_name']),
      event('2026-11-02T10:00:00Z', 'beta-shop', ['given_name']),
      event('2026-11-03T10:00:00Z', 'beta-shop', ['family_name']),
      event('2026-11-01T10:00:00Z', null, ['nickname']),
    ]);
    const origins = async () => Object.fromEntries((await db('profile_values').where({ account_id: accountId }).select('field', 'first_client_id') as { field: string; first_client_id: string | null }[]).map((r) => [r.field, r.first_client_id]));

    await (await migration()).up(db);
    const filled = { given_name: 'acme-shop', family_name: 'acme-shop', nickname: null, phone_number: 'acme-shop' };
    expect(await origins()).toEqual(filled);

    // A second run leaves every value as it is, a value first given without an app included.
    await db('profile_values').where({ account_id: accountId, field: 'nickname' }).update({ client_id: 'beta-shop' });
    await (await migration()).up(db);
    expect(await origins()).toEqual(filled);
  });
});
