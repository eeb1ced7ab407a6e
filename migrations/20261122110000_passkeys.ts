// Passkeys (WebAuthn credentials), the challenges handed to browsers (bound to one interaction, single
// use, expiring), and when an account last said "Not now" to the passkey offer. Idempotent.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS passkeys (
     id text PRIMARY KEY,
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     user_handle text NOT NULL,
     public_key text NOT NULL,
     counter bigint NOT NULL DEFAULT 0,
     transports jsonb NOT NULL DEFAULT '[]',
     device_type text NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
     backed_up boolean NOT NULL DEFAULT false,
     name text NOT NULL,
     aaguid text,
     created_at timestamptz NOT NULL DEFAULT now(),
     last_used_at timestamptz,
     updated_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS passkeys_account_id ON passkeys (account_id)',

  `CREATE TABLE IF NOT EXISTS passkey_challenges (
     challenge_hash text PRIMARY KEY,
     interaction_uid text NOT NULL,
     purpose text NOT NULL CHECK (purpose IN ('authenticate', 'register')),
     account_id uuid,
     user_handle text,
     expires_at timestamptz NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS passkey_challenges_interaction ON passkey_challenges (interaction_uid, purpose)',
  'CREATE INDEX IF NOT EXISTS passkey_challenges_expires_at ON passkey_challenges (expires_at)',

  `CREATE TABLE IF NOT EXISTS passkey_offers (
     account_id uuid PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
     declined_at timestamptz NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
