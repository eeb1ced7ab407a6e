// The portal migrations: portal_sessions exists with its columns, token hashes are unique, sessions go
// with their account, and each migration runs twice over its own rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const ACCOUNT = '00000000-0000-4000-8000-0000000000a1';

describe('the portal sessions migration', () => {
  it('creates portal_sessions with its columns', async () => {
    for (const column of ['id', 'token_hash', 'account_id', 'auth_time', 'amr', 'oidc_sid', 'oidc_session_uid', 'user_agent', 'expires_at', 'last_seen_at', 'created_at', 'updated_at']) {
      expect(await handle.db.schema.hasColumn('portal_sessions', column), column).toBe(true);
    }
  });

  it('runs twice over its own rows, refuses a second row with one token hash, and cascades with the account', async () => {
    const { db } = handle;
    await db('accounts').insert({ id: ACCOUNT, status: 'active' });
    const row = { id: 'ps_1', token_hash: 'h1', account_id: ACCOUNT, auth_time: new Date(), expires_at: new Date(Date.now() + 60_000) };
    await db('portal_sessions').insert(row);
    const migration = await import('../../../migrations/20261201300000_portal_sessions.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    expect(await db('portal_sessions').where({ id: 'ps_1' })).toHaveLength(1);
    await expect(db('portal_sessions').insert({ ...row, id: 'ps_2' })).rejects.toThrow();
    await db('accounts').where({ id: ACCOUNT }).delete();
    expect(await db('portal_sessions')).toHaveLength(0);
  });
});
