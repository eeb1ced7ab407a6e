// Domain events: one append-only table that is both the audit log and the outbox that webhooks and other
// downstream deliveries read from (FOR UPDATE SKIP LOCKED). Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS events (
     id text PRIMARY KEY,
     type text NOT NULL,
     account_id text,
     client_id text,
     data jsonb NOT NULL DEFAULT '{}',
     restricted boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS events_account ON events (account_id, created_at) WHERE account_id IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS events_created_at ON events (created_at)',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
