// Second factors: TOTP seeds (sealed), recovery codes (keyed hashes), remembered devices (token hashes),
// and the account's own "always ask for a second factor" switch. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS mfa_enabled boolean NOT NULL DEFAULT false',

  `CREATE TABLE IF NOT EXISTS totp_credentials (
     account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
     secret_encrypted text NOT NULL,
     confirmed_at timestamptz,
     last_used_step bigint,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS recovery_codes (
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     code_hash text NOT NULL,
     used_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account_id, code_hash))`,

  `CREATE TABLE IF NOT EXISTS remembered_devices (
     id text PRIMARY KEY,
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     token_hash text NOT NULL UNIQUE,
     expires_at timestamptz NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     last_used_at timestamptz,
     user_agent text,
     revoked_at timestamptz)`,
  'CREATE INDEX IF NOT EXISTS remembered_devices_account ON remembered_devices (account_id)',
  'CREATE INDEX IF NOT EXISTS remembered_devices_expires_at ON remembered_devices (expires_at)',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
