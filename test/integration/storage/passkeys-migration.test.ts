// The passkeys migration creates its tables and can run again over its own result without error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { up } from '../../../migrations/20261122110000_passkeys.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

describe('the passkeys migration', () => {
  it('creates passkeys, passkey_challenges and passkey_offers, and runs twice without error', async () => {
    for (const table of ['passkeys', 'passkey_challenges', 'passkey_offers']) expect(await handle.db.schema.hasTable(table), table).toBe(true);
    await up(handle.db);
    await up(handle.db);
    for (const column of ['id', 'account_id', 'user_handle', 'public_key', 'counter', 'transports', 'device_type', 'backed_up', 'name', 'created_at', 'last_used_at', 'updated_at']) {
      expect(await handle.db.schema.hasColumn('passkeys', column), column).toBe(true);
    }
  });

  it('keeps counters beyond 32 bits, refuses an unknown device type, and removes passkeys with their account', async () => {
    const accountId = '00000000-0000-4000-8000-0000000000aa';
    await handle.db('accounts').insert({ id: accountId, status: 'active' });
    const row = { id: 'cred-1', account_id: accountId, user_handle: 'h', public_key: 'k', device_type: 'singleDevice', name: 'Key' };
    await handle.db('passkeys').insert({ ...row, counter: 4_294_967_295 });
    expect(Number((await handle.db('passkeys').where({ id: 'cred-1' }).first()).counter)).toBe(4_294_967_295);
    await expect(handle.db('passkeys').insert({ ...row, id: 'cred-2', device_type: 'usb' })).rejects.toThrow();
    await handle.db('passkey_offers').insert({ account_id: accountId, declined_at: new Date() });
    await handle.db('accounts').where({ id: accountId }).delete();
    expect(await handle.db('passkeys').where({ account_id: accountId })).toEqual([]);
    expect(await handle.db('passkey_offers').where({ account_id: accountId })).toEqual([]);
  });
});
