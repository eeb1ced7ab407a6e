// Webhooks, the operator's side: a webhook remembers since when its deliveries fail (so one failing longer
// than webhooks.disableAfterFailingSeconds is turned off, with the reason kept for the console), and the
// dispatcher finds an account's earlier pending delivery to the same webhook through an index (deliveries of
// one customer go out in order). Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  'ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS failing_since timestamptz',
  'ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS disabled_reason text',
  'ALTER TABLE webhooks ADD COLUMN IF NOT EXISTS disabled_at timestamptz',
  "CREATE INDEX IF NOT EXISTS webhook_deliveries_account_order ON webhook_deliveries (webhook_id, account_id, created_at) WHERE status = 'pending'",
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
