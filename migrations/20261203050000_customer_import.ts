// Customer import: each import is a job (its counts while it runs, and why each rejected row was refused);
// an imported account remembers its external id (the key a re-run upserts by) and when the import last set
// its password, so a later run never overwrites a password changed in Foyer since. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS import_jobs (
     id text PRIMARY KEY,
     status text NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
     format text NOT NULL CHECK (format IN ('jsonl', 'csv')),
     actor text NOT NULL,
     rows_read integer NOT NULL DEFAULT 0,
     created_count integer NOT NULL DEFAULT 0,
     updated_count integer NOT NULL DEFAULT 0,
     unchanged_count integer NOT NULL DEFAULT 0,
     rejected_count integer NOT NULL DEFAULT 0,
     bytes_read bigint NOT NULL DEFAULT 0,
     bytes_total bigint,
     error text,
     finished_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS import_jobs_created_at ON import_jobs (created_at)',

  `CREATE TABLE IF NOT EXISTS import_rejections (
     job_id text NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
     line integer NOT NULL,
     reason text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (job_id, line))`,

  `CREATE TABLE IF NOT EXISTS account_imports (
     account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
     external_id text,
     password_set_at timestamptz,
     job_id text,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE UNIQUE INDEX IF NOT EXISTS account_imports_external_id ON account_imports (external_id) WHERE external_id IS NOT NULL',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
