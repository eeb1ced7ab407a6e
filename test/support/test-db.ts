// A database of its own for each test file: in-memory PGlite by default, or a fresh PostgreSQL
// database (created and dropped here) when DATABASE_URL is set, so runs never interfere.
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { createDb, type DbHandle } from '../../src/db/create-db.ts';
import { migrateLatest } from '../../src/db/migrate.ts';

export const onPostgres = Boolean(process.env.DATABASE_URL);

export async function createTestDb(options: { migrate?: boolean } = {}): Promise<DbHandle> {
  const base = process.env.DATABASE_URL;
  let handle: DbHandle;
  if (!base) {
    handle = createDb({});
  } else {
    const name = `foyer_test_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = knexFactory({ client: 'pg', connection: base, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${name}`);
    await admin.destroy();
    const url = new URL(base);
    url.pathname = `/${name}`;
    const inner = createDb({ databaseUrl: url.toString(), poolMax: 5 });
    handle = {
      ...inner,
      async close() {
        await inner.close();
        const dropper = knexFactory({ client: 'pg', connection: base, pool: { min: 0, max: 1 } });
        await dropper.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.destroy();
      },
    };
  }
  if (options.migrate !== false) await migrateLatest(handle.db);
  return handle;
}
