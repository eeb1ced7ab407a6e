// Administrators: the accounts that may use the admin pages (/admin), and the realm of a server-side
// session (the account pages' sessions and the admin pages' live in one table, never usable for each
// other). Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS admins (
     account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `ALTER TABLE portal_sessions ADD COLUMN IF NOT EXISTS realm text NOT NULL DEFAULT 'account'`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
