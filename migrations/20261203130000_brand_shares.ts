// Cross-brand sharing: which brand an account began at (its home brand) and, per other brand, the profile
// fields the customer chose to share with it (the answer's receipt is in the consent ledger, subject kind
// `brand_sharing`). Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS brand_shares (
    account_id uuid NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    brand_id text NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    home boolean NOT NULL DEFAULT false,
    fields jsonb NOT NULL DEFAULT '[]',
    receipt_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, brand_id)
  )`,
  // At most one home brand per account.
  'CREATE UNIQUE INDEX IF NOT EXISTS brand_shares_home ON brand_shares (account_id) WHERE home',
  'ALTER TABLE consent_records DROP CONSTRAINT IF EXISTS consent_records_subject_kind_check',
  `ALTER TABLE consent_records ADD CONSTRAINT consent_records_subject_kind_check CHECK (subject_kind IN ('document', 'client_scopes', 'purpose', 'preference', 'brand_sharing'))`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
