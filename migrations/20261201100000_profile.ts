// Progressive profiling: the profile schema (fields an admin defines), visits per account (one per
// interactive sign-in, at most one per visit gap, with the optional fields already asked in it), and "Not now" skips per field. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS profile_fields (
     key text PRIMARY KEY,
     definition jsonb NOT NULL,
     position integer NOT NULL DEFAULT 0,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS profile_visits (
     account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
     visits integer NOT NULL DEFAULT 0,
     last_visit_at timestamptz,
     asked_visit integer,
     asked_fields jsonb NOT NULL DEFAULT '[]',
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS profile_skips (
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     field text NOT NULL,
     client_id text,
     skipped_at timestamptz NOT NULL DEFAULT now(),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account_id, field))`,

  // Provenance stays (source, updated_at); the client through which a value was given is kept beside it.
  'ALTER TABLE profile_values ADD COLUMN IF NOT EXISTS client_id text',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
