// Vitest global setup: creates and migrates one database before any test file, so that a file starts
// its own database from a copy instead of running every migration again (seconds per file).
// - PGlite: the migrated data folder is saved as a dumpDataDir tarball that test-db.ts loads.
// - PostgreSQL: a migrated database that test-db.ts names as the TEMPLATE of each file's database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/db/create-db.ts';
import { migrateLatest } from '../../src/db/migrate.ts';
import { createScratchDatabase } from './scratch.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated PGlite data folder to start from, or '' on PostgreSQL. */
    pgliteTemplate: string;
    /** The migrated PostgreSQL database to copy, or '' on PGlite. */
    postgresTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const base = process.env.DATABASE_URL;
  if (base) {
    const template = await createScratchDatabase(base, 'foyer_template');
    const handle = createDb({ databaseUrl: template.url, poolMax: 1 });
    try {
      await migrateLatest(handle.db);
    } finally {
      // No connection may stay open on a database that CREATE DATABASE … TEMPLATE copies.
      await handle.close();
    }
    project.provide('pgliteTemplate', '');
    project.provide('postgresTemplate', new URL(template.url).pathname.slice(1));
    return () => template.drop();
  }
  const dir = mkdtempSync(join(tmpdir(), 'foyer-pglite-template-'));
  const pglite = new PGlite();
  const handle = createDb({ pglite });
  try {
    await migrateLatest(handle.db);
    const dump = await pglite.dumpDataDir('none');
    writeFileSync(join(dir, 'migrated.tar'), Buffer.from(await dump.arrayBuffer()));
  } finally {
    await handle.close();
  }
  project.provide('pgliteTemplate', join(dir, 'migrated.tar'));
  project.provide('postgresTemplate', '');
  return async () => rmSync(dir, { recursive: true, force: true });
}
