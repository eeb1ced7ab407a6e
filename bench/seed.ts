// Seeding many accounts fast, for the bench's scale runs: one statement per batch generates the rows in the
// database (generate_series), each account with one verified address and the same argon2id hash, computed
// once by the caller (hashing a million passwords would take hours; signing in checks one hash, whatever
// hash it is). Rows are what `foyer users add --verified` makes, without its events.
// `node bench/seed.ts <count> [prefix]` seeds DATABASE_URL's database and prints how long it took.
import knexFactory from 'knex';
import type { Db } from '../src/db/create-db.ts';
import { configSchema } from '../src/config/schema.ts';
import { createPasswordHasher } from '../src/security/password-hasher.ts';

export interface SeedInput {
  count: number;
  /** Addresses are `<prefix><n>@<domain>`, n from 0: lower-case ASCII, so stored and normalized forms agree. */
  prefix: string;
  domain: string;
  passwordHash: string;
  /** Rows per statement. */
  batch?: number;
  onProgress?: (seeded: number) => void;
}

const ASCII_LOWER = /^[a-z0-9._-]*$/;

const SEED_BATCH_SQL = `
  WITH seeded AS MATERIALIZED (SELECT n, gen_random_uuid() AS id FROM generate_series(?::int, ?::int) AS n),
  inserted AS (
    INSERT INTO accounts (id, status, password_hash, password_changed_at) SELECT id, 'active', ?, now() FROM seeded RETURNING id)
  INSERT INTO account_emails (email_normalized, account_id, email, is_primary, verified_at)
  SELECT ? || seeded.n || ?, seeded.id, ? || seeded.n || ?, true, now() FROM seeded`;

/** Inserts `count` active accounts with verified addresses; returns how many it inserted. */
export async function seedAccounts(db: Db, input: SeedInput): Promise<number> {
  if (!ASCII_LOWER.test(input.prefix) || !/^[a-z0-9.-]+$/.test(input.domain)) throw new Error('seed addresses must be lower-case ASCII');
  const batch = input.batch ?? 50_000;
  const suffix = `@${input.domain}`;
  let seeded = 0;
  while (seeded < input.count) {
    const size = Math.min(batch, input.count - seeded);
    await db.raw(SEED_BATCH_SQL, [seeded, seeded + size - 1, input.passwordHash, input.prefix, suffix, input.prefix, suffix]);
    seeded += size;
    input.onProgress?.(seeded);
  }
  return seeded;
}

/** The argon2id hash of `password` with the server's default cost, so a sign-in finds no rehash due. */
export function defaultCostHash(password: string): Promise<string> {
  return createPasswordHasher(configSchema.parse({}).argon2).hash(password);
}

/** Seeds `count` accounts (`<prefix><n>@seed.bench.test`) into a migrated PostgreSQL database, then refreshes its statistics; returns the seconds it took. */
export async function seedDatabase(url: string, count: number, options: { prefix?: string; password?: string; onProgress?: (seeded: number) => void } = {}): Promise<number> {
  const db = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const began = performance.now();
    const passwordHash = await defaultCostHash(options.password ?? 'bench seeded password');
    await seedAccounts(db, { count, prefix: options.prefix ?? 's', domain: 'seed.bench.test', passwordHash, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    // The planner should see the tables as they now are, as autovacuum would soon make it.
    await db.raw('ANALYZE accounts');
    await db.raw('ANALYZE account_emails');
    return (performance.now() - began) / 1000;
  } finally {
    await db.destroy();
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2]);
  const url = process.env.DATABASE_URL;
  if (!url || !Number.isInteger(count) || count < 1) throw new Error('usage: DATABASE_URL=… node bench/seed.ts <count> [prefix]');
  const seconds = await seedDatabase(url, count, {
    ...(process.argv[3] ? { prefix: process.argv[3] } : {}),
    onProgress: (n) => process.stderr.write(`\rseeded ${n.toLocaleString('en')} of ${count.toLocaleString('en')}`),
  });
  process.stderr.write('\n');
  process.stdout.write(`${JSON.stringify({ seeded: count, seconds: Number(seconds.toFixed(1)) })}\n`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench/seed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
