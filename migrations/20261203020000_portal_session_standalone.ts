// A portal session lives only while the OIDC session it came from does; the one exception is a session
// started by a mailed link (no OIDC session behind it), marked standalone. A row without an OIDC session
// and not marked standalone is not live. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  'ALTER TABLE portal_sessions ADD COLUMN IF NOT EXISTS standalone boolean NOT NULL DEFAULT false',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
