// The bench's fast seeding path: a thousand accounts in a few statements, each one an active account with a
// verified address that the real account queries find and whose password the shared hash verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccounts } from '../../../bench/seed.ts';
import { createAccountQueries } from '../../../src/accounts/queries.ts';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createPasswordHasher } from '../../../src/security/password-hasher.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const hasher = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });
const count = async (table: string) => Number((await handle.db(table).count<{ n: string }[]>('* as n'))[0]!.n);

describe('seeding accounts', () => {
  it('inserts a thousand accounts with verified addresses, in batches, all signing in with the one hash', async () => {
    const passwordHash = await hasher.hash('seeded password');
    const progress: number[] = [];
    const before = await count('accounts');
    const seeded = await seedAccounts(handle.db, { count: 1000, prefix: 's', domain: 'seed.bench.test', passwordHash, batch: 300, onProgress: (n) => progress.push(n) });
    expect(seeded).toBe(1000);
    expect(progress).toEqual([300, 600, 900, 1000]);
    expect(await count('accounts')).toBe(before + 1000);
    expect(Number((await handle.db('account_emails').where('email_normalized', 'like', '%@seed.bench.test').count<{ n: string }[]>('* as n'))[0]!.n)).toBe(1000);

    const accounts = createAccountQueries(handle.db);
    for (const n of [0, 499, 999]) {
      const account = (await accounts.findAccountByEmail(`s${n}@seed.bench.test`))!;
      expect(account.status).toBe('active');
      expect(await hasher.verify(account.passwordHash!, 'seeded password')).toBe(true);
    }
    expect(await accounts.findAccountByEmail('s1000@seed.bench.test')).toBeUndefined();
  });

  it('refuses addresses it would store unnormalized', async () => {
    await expect(seedAccounts(handle.db, { count: 1, prefix: 'Upper', domain: 'seed.bench.test', passwordHash: 'x' })).rejects.toThrow(/lower-case ASCII/);
  });
});
