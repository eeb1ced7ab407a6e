// Social login, second part: connectors live in the database (seeded from config when absent; secrets
// sealed), and what each customer allowed a connector to copy into their profile. Idempotent.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS connectors (
     id text PRIMARY KEY,
     kind text NOT NULL,
     name text NOT NULL,
     enabled boolean NOT NULL DEFAULT true,
     settings jsonb NOT NULL DEFAULT '{}',
     secrets_encrypted text,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS federated_import_permissions (
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     connector text NOT NULL,
     allowed_fields jsonb NOT NULL DEFAULT '[]',
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account_id, connector))`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
