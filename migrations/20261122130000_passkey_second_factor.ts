// Passkeys as a second factor: their challenges get a purpose of their own ('second-factor'), so a
// sign-in challenge cannot answer the MFA step or the other way round. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  'ALTER TABLE passkey_challenges DROP CONSTRAINT IF EXISTS passkey_challenges_purpose_check',
  'ALTER TABLE passkey_challenges DROP CONSTRAINT IF EXISTS passkey_challenges_purpose_known',
  `ALTER TABLE passkey_challenges ADD CONSTRAINT passkey_challenges_purpose_known
     CHECK (purpose IN ('authenticate', 'register', 'second-factor'))`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
