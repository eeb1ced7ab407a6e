// The operators' console migration: administrators made before roles stay owners (they could do everything),
// a role outside viewer/operator/owner is refused, accounts gain their last sign-in and disable columns,
// events their actor; running it again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const ADMIN = '00000000-0000-4000-8000-0000000000a1';

describe('the admin console migration', () => {
  it('keeps earlier administrators as owners, checks roles, adds the columns, and runs twice', async () => {
    const { db } = handle;
    const migration = await import('../../../migrations/20261203100000_admin_console.ts') as { up(knex: unknown): Promise<void> };
    await db('accounts').insert({ id: ADMIN, status: 'active' });
    await db('admins').insert({ account_id: ADMIN });
    await migration.up(db);
    await migration.up(db);
    expect(await db('admins').where({ account_id: ADMIN }).pluck('role')).toEqual(['owner']);
    await expect(db('admins').where({ account_id: ADMIN }).update({ role: 'chief' })).rejects.toThrow();
    await db('admins').where({ account_id: ADMIN }).update({ role: 'viewer' });
    await db('accounts').where({ id: ADMIN }).update({ last_sign_in_at: db.fn.now(), disabled_at: null, status_before_disable: 'active' });
    await db('events').insert({ id: 'evt_migration', type: 'admin.changed', actor: 'cli:ops' });
    expect(await db('events').where({ actor: 'cli:ops' }).pluck('id')).toEqual(['evt_migration']);
    const [account] = await db('accounts').where({ id: ADMIN }).select('last_sign_in_at', 'status_before_disable');
    expect(account).toMatchObject({ last_sign_in_at: expect.any(Date), status_before_disable: 'active' });
  });
});
