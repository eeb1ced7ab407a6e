// Owns running the migrations in migrations/ (forward-only, each idempotent) on either engine.
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import type { Db } from './create-db.ts';

const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../migrations');

const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return (await readdir(migrationsDir)).filter((name) => /^\d{14}_[\w-]+\.ts$/.test(name)).sort();
  },
  getMigrationName: (name) => name,
  getMigration: async (name) => (await import(pathToFileURL(join(migrationsDir, name)).href)) as Knex.Migration,
};

/** Applies pending migrations; returns the names applied in this run. */
export async function migrateLatest(db: Db): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource, tableName: 'foyer_migrations' })) as [number, string[]];
  return applied;
}
