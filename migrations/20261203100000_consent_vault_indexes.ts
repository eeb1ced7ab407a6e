// The consent vault searches the ledger across customers: by purpose or document (and time), and by time
// alone, newest first. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  'CREATE INDEX IF NOT EXISTS consent_records_subject_time ON consent_records (subject_kind, subject_ref, created_at)',
  'CREATE INDEX IF NOT EXISTS consent_records_time ON consent_records (created_at, id)',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
