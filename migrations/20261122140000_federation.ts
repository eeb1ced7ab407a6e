// Social login: federated_identities links an upstream identity (connector, subject) to one account.
// Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS federated_identities (
     connector text NOT NULL,
     subject text NOT NULL,
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     email text,
     created_at timestamptz NOT NULL DEFAULT now(),
     last_used_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (connector, subject))`,
  'CREATE INDEX IF NOT EXISTS federated_identities_account ON federated_identities (account_id)',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
