// The email NFC migration: an address stored decomposed is rewritten to NFC (so lookups, which compare in
// NFC, find it again), an address whose NFC form another account holds is left alone, and a second run
// changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createAccountQueries } from '../../../src/accounts/queries.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const [ONE, TWO, THREE] = ['00000000-0000-4000-8000-0000000000e1', '00000000-0000-4000-8000-0000000000e2', '00000000-0000-4000-8000-0000000000e3'];
const DECOMPOSED = 'Jose\u0301@Example.com';
const COMPOSED = 'Jos\u00e9@Example.com';

describe('the email NFC migration', () => {
  it('rewrites decomposed addresses to NFC, leaves a clash alone, and runs twice', async () => {
    const { db } = handle;
    await db('accounts').insert([{ id: ONE, status: 'active' }, { id: TWO, status: 'active' }, { id: THREE, status: 'active' }]);
    await db('account_emails').insert([
      { email_normalized: DECOMPOSED.toLowerCase(), email: DECOMPOSED, account_id: ONE },
      // Two accounts whose addresses are one in NFC: neither is merged into the other.
      { email_normalized: 'rene\u0301@example.com', email: 'rene\u0301@example.com', account_id: TWO },
      { email_normalized: 'ren\u00e9@example.com', email: 'ren\u00e9@example.com', account_id: THREE },
      { email_normalized: 'plain@example.com', email: 'Plain@example.com', account_id: THREE, is_primary: false },
    ]);
    const accounts = createAccountQueries(db);
    expect(await accounts.findAccountByEmail(COMPOSED)).toBeUndefined();

    const migration = await import('../../../migrations/20261203030000_email_nfc.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);

    expect(await db('account_emails').where({ account_id: ONE }).select('email_normalized', 'email')).toEqual([{ email_normalized: COMPOSED.toLowerCase(), email: COMPOSED }]);
    expect((await accounts.findAccountByEmail(DECOMPOSED))?.id).toBe(ONE);
    expect((await accounts.findAccountByEmail(COMPOSED))?.id).toBe(ONE);
    expect(await db('account_emails').where({ account_id: TWO }).pluck('email_normalized')).toEqual(['rene\u0301@example.com']);
    expect(await db('account_emails').where({ account_id: THREE }).orderBy('email_normalized').pluck('email')).toEqual(['Plain@example.com', 'ren\u00e9@example.com']);
  });
});
