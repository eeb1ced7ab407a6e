// The MFA migration: its tables and the accounts.mfa_enabled column exist, it runs twice without error,
// and an account's second factors go with the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const ACCOUNT = '00000000-0000-4000-8000-0000000000a1';

describe('the mfa migration', () => {
  it('creates totp_credentials, recovery_codes, remembered_devices and accounts.mfa_enabled', async () => {
    const { db } = handle;
    for (const table of ['totp_credentials', 'recovery_codes', 'remembered_devices']) expect(await db.schema.hasTable(table), table).toBe(true);
    for (const column of ['account_id', 'secret_encrypted', 'confirmed_at', 'last_used_step', 'created_at', 'updated_at']) expect(await db.schema.hasColumn('totp_credentials', column), column).toBe(true);
    for (const column of ['account_id', 'code_hash', 'used_at', 'created_at']) expect(await db.schema.hasColumn('recovery_codes', column), column).toBe(true);
    for (const column of ['id', 'account_id', 'token_hash', 'expires_at', 'created_at', 'last_used_at', 'user_agent', 'revoked_at']) expect(await db.schema.hasColumn('remembered_devices', column), column).toBe(true);
    expect(await db.schema.hasColumn('accounts', 'mfa_enabled')).toBe(true);
  });

  it('runs again over its own result without error, keeping the rows', async () => {
    const { db } = handle;
    await db('accounts').insert({ id: ACCOUNT, status: 'active' });
    expect((await db('accounts').where({ id: ACCOUNT }).first()).mfa_enabled).toBe(false);
    await db('accounts').where({ id: ACCOUNT }).update({ mfa_enabled: true });
    await db('totp_credentials').insert({ account_id: ACCOUNT, secret_encrypted: 'sealed', confirmed_at: db.fn.now(), last_used_step: 59_000_000 });
    const migration = await import('../../../migrations/20261122120000_mfa.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    expect((await db('accounts').where({ id: ACCOUNT }).first()).mfa_enabled).toBe(true);
    expect(Number((await db('totp_credentials').where({ account_id: ACCOUNT }).first()).last_used_step)).toBe(59_000_000);
  });

  it('deletes an account\'s second factors with the account', async () => {
    const { db } = handle;
    await db('recovery_codes').insert({ account_id: ACCOUNT, code_hash: 'h1' });
    await db('remembered_devices').insert({ id: 'rd_1', account_id: ACCOUNT, token_hash: 't1', expires_at: new Date(Date.now() + 60_000) });
    await db('accounts').where({ id: ACCOUNT }).delete();
    for (const table of ['totp_credentials', 'recovery_codes', 'remembered_devices']) expect(await db(table).where({ account_id: ACCOUNT }), table).toEqual([]);
  });
});
