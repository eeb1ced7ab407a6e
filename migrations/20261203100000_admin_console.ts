// The operators' console: administrators get a role (viewer reads, operator also changes and acts on
// customers, owner is both and more); accounts remember their last sign-in and, while an operator has
// disabled them, the status to go back to; audit events name their actor (client:<client id>, admin:<sub>,
// cli:<OS user>). Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  // Administrators made before roles existed could do everything: they stay owners.
  `ALTER TABLE admins ADD COLUMN IF NOT EXISTS role text NOT NULL DEFAULT 'owner'`,
  'ALTER TABLE admins DROP CONSTRAINT IF EXISTS admins_role_check',
  `ALTER TABLE admins ADD CONSTRAINT admins_role_check CHECK (role IN ('viewer', 'operator', 'owner'))`,
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS last_sign_in_at timestamptz',
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS disabled_at timestamptz',
  'ALTER TABLE accounts ADD COLUMN IF NOT EXISTS status_before_disable text',
  'CREATE INDEX IF NOT EXISTS accounts_created_at ON accounts (created_at, id)',
  'CREATE INDEX IF NOT EXISTS accounts_last_sign_in_at ON accounts (last_sign_in_at)',
  'ALTER TABLE events ADD COLUMN IF NOT EXISTS actor text',
  'CREATE INDEX IF NOT EXISTS events_actor ON events (actor, created_at) WHERE actor IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS events_type ON events (type, created_at)',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
