// A database of its own for each test file: in-memory PGlite by default, or a fresh PostgreSQL
// database (created and dropped here) when DATABASE_URL is set, so runs never interfere.
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { createDb, type DbHandle } from '../../src/db/create-db.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { createScratchDatabase } from './scratch.ts';

export const onPostgres = Boolean(process.env.DATABASE_URL);

export async function createTestDb(options: { migrate?: boolean } = {}): Promise<DbHandle> {
  const base = process.env.DATABASE_URL;
  let handle: DbHandle;
  if (!base) {
    // A migrated database starts from the copy migrated-template.ts made (migrateLatest below then finds
    // nothing to do); one that must start empty is created afresh.
    const template = options.migrate !== false ? inject('pgliteTemplate') : '';
    handle = createDb(template ? { pglite: new PGlite({ loadDataDir: new Blob([readFileSync(template)]) }) } : {});
  } else {
    // A migrated database starts as a copy of the one migrated-template.ts made.
    const template = options.migrate !== false ? inject('postgresTemplate') : '';
    const scratch = await createScratchDatabase(base, 'foyer_test', template || undefined);
    const inner = createDb({ databaseUrl: scratch.url, poolMax: 5 });
    handle = {
      ...inner,
      async close() {
        await inner.close();
        await scratch.drop();
      },
    };
  }
  if (options.migrate !== false) await migrateLatest(handle.db);
  return handle;
}
