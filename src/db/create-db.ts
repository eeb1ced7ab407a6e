// Owns the database connection: knex on PostgreSQL when a URL is given, else embedded PGlite in a folder.
// Must not import domain or HTTP modules.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';

export type Db = Knex;

// knex-pglite labels a delete "DEL", so knex's PostgreSQL dialect returns the raw result instead of the
// row count; naming the method as the SQL command makes deletes answer a count, as they do on pg.
interface ResponseProcessor {
  processResponse(obj: { method?: string }, runner: unknown): unknown;
}
const PgLiteBase = ClientPgLite as unknown as new (config: Knex.Config) => ResponseProcessor;
class PgLiteClient extends PgLiteBase {
  override processResponse(obj: { method?: string }, runner: unknown): unknown {
    return super.processResponse(obj.method === 'del' ? { ...obj, method: 'delete' } : obj, runner);
  }
}
export type DbKind = 'postgres' | 'pglite';

export interface DbHandle {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string | undefined;
  /** Folder for PGlite; undefined means in memory (tests). */
  pgliteDir?: string | undefined;
  /** An in-memory PGlite to use instead of a new one (tests start it from a prepared data folder); closed with the handle. */
  pglite?: PGlite | undefined;
  poolMax?: number;
}

/**
 * PostgreSQL's shared buffers inside the embedded database. Its default (128 MB) is WebAssembly memory that is
 * touched and never given back; the data folder's files sit in the OS page cache anyway, so a small pool
 * costs little on a customer-sized database.
 */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

/** Opens (creating it when absent: initdb) the embedded database in `dir`. */
export function openPglite(dir: string): PGlite {
  return new PGlite(dir, { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`] });
}

export function createDb(options: DbOptions): DbHandle {
  if (options.databaseUrl) {
    const db = knexFactory({
      client: 'pg',
      connection: { connectionString: options.databaseUrl },
      pool: { min: 0, max: options.poolMax ?? 10 },
    });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (options.pgliteDir) mkdirSync(options.pgliteDir, { recursive: true, mode: 0o700 });
  const pglite = options.pglite ?? (options.pgliteDir ? openPglite(options.pgliteDir) : undefined);
  // knex-pglite is one connection: no pool settings (see DEVELOPERS.md).
  const db = knexFactory({
    client: PgLiteClient as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: pglite ? { pglite } : {},
  } as Knex.Config);
  return { db, kind: 'pglite', close: () => db.destroy() };
}

interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

/** The connection pool's use (knex's tarn pool; PGlite's is its one connection), or undefined before it exists. */
export function poolStats(db: Db): { used: number; free: number; pendingAcquires: number; pendingCreates: number; max: number } | undefined {
  const pool = (db.client as { pool?: TarnPool }).pool;
  if (!pool) return undefined;
  return { used: pool.numUsed(), free: pool.numFree(), pendingAcquires: pool.numPendingAcquires(), pendingCreates: pool.numPendingCreates(), max: pool.max };
}
