// Privacy rights on the account: a processing-restriction flag (separate from status, since a restricted
// account still signs in), and the erasure request with its grace period. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS processing_restricted_at timestamptz',
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS erasure_requested_at timestamptz',
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS erase_after timestamptz',
  // The status to give back when the customer cancels within the grace period.
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS status_before_erasure text',
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS erased_at timestamptz',
  // The sweeper looks for requests whose grace period is over and that are not purged yet.
  'CREATE INDEX IF NOT EXISTS accounts_erase_after ON accounts (erase_after) WHERE erase_after IS NOT NULL AND erased_at IS NULL',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
