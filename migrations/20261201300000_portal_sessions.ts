// The account portal's own server-side sessions (/account): a random cookie token stored hashed, with the
// sign-in's time and methods and the OIDC session it came from. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS portal_sessions (
     id text PRIMARY KEY,
     token_hash text NOT NULL UNIQUE,
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     auth_time timestamptz NOT NULL,
     amr jsonb NOT NULL DEFAULT '[]',
     oidc_sid text,
     oidc_session_uid text,
     user_agent text,
     expires_at timestamptz NOT NULL,
     last_seen_at timestamptz NOT NULL DEFAULT now(),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS portal_sessions_account ON portal_sessions (account_id)',
  'CREATE INDEX IF NOT EXISTS portal_sessions_expires_at ON portal_sessions (expires_at)',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
