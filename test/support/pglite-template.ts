// Vitest global setup for the PGlite runs: creates and migrates one in-memory database before any test
// file, and saves its data folder (a PGlite dumpDataDir tarball) for test-db.ts. A file then starts its
// own database from that copy instead of running initdb and every migration again (seconds per file).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { createDb } from '../../src/db/create-db.ts';
import { migrateLatest } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated PGlite data folder to start from, or '' on PostgreSQL. */
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteTemplate', '');
    return undefined;
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
  return () => rmSync(dir, { recursive: true, force: true });
}
