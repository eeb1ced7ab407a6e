// Email sign-in: the single-use links mailed beside a sign-in code (hashed), and the devices each account
// has signed in from (a keyed hash of the device cookie), for the "new sign-in" mail. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  // A link belongs to one email sign-in flow and goes with it (expired flows are swept with their links).
  `CREATE TABLE IF NOT EXISTS sign_in_links (
     token_hash text PRIMARY KEY,
     flow_id text NOT NULL REFERENCES flows (id) ON DELETE CASCADE,
     interaction_uid text NOT NULL,
     expires_at timestamptz NOT NULL,
     consumed_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS sign_in_links_flow ON sign_in_links (flow_id)',

  `CREATE TABLE IF NOT EXISTS known_devices (
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     device_hash text NOT NULL,
     user_agent text,
     first_seen_at timestamptz NOT NULL DEFAULT now(),
     last_seen_at timestamptz NOT NULL DEFAULT now(),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account_id, device_hash))`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
