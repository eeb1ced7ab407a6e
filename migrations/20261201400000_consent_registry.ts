// Consent registry and preferences: purposes with a legal basis, communication topics and preferences
// (with mailed opt-in confirmations), the dedicated receipt signing keys, and the ledger made append-only
// by a trigger (PL/pgSQL: the same on PostgreSQL and PGlite). Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS consent_purposes (
     id text PRIMARY KEY,
     legal_basis text NOT NULL CHECK (legal_basis IN ('consent', 'contract', 'legitimate_interest', 'legal_obligation', 'public_interest', 'vital_interest')),
     texts jsonb NOT NULL DEFAULT '{}',
     data_categories jsonb NOT NULL DEFAULT '[]',
     third_party_disclosure boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS communication_topics (
     id text PRIMARY KEY,
     texts jsonb NOT NULL DEFAULT '{}',
     channels jsonb NOT NULL DEFAULT '[]',
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS communication_preferences (
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     topic text NOT NULL,
     channel text NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
     status text NOT NULL CHECK (status IN ('opted_in', 'opted_out', 'pending')),
     source text NOT NULL,
     changed_at timestamptz NOT NULL DEFAULT now(),
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account_id, topic, channel))`,

  `CREATE TABLE IF NOT EXISTS preference_confirmations (
     token_hash text PRIMARY KEY,
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     topic text NOT NULL,
     channel text NOT NULL,
     expires_at timestamptz NOT NULL,
     consumed_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS preference_confirmations_account ON preference_confirmations (account_id, topic, channel)',

  `CREATE TABLE IF NOT EXISTS consent_receipt_keys (
     kid text PRIMARY KEY,
     alg text NOT NULL,
     private_jwk_encrypted text NOT NULL,
     public_jwk jsonb NOT NULL,
     retired_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now())`,

  // Preferences join the ledger; erasure may blank a record's personal data (erased_at says when), nothing else.
  'ALTER TABLE consent_records DROP CONSTRAINT IF EXISTS consent_records_subject_kind_check',
  `ALTER TABLE consent_records ADD CONSTRAINT consent_records_subject_kind_check CHECK (subject_kind IN ('document', 'client_scopes', 'purpose', 'preference'))`,
  'ALTER TABLE consent_records ADD COLUMN IF NOT EXISTS erased_at timestamptz',

  `CREATE OR REPLACE FUNCTION consent_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
       RAISE EXCEPTION 'consent_records is append-only: records cannot be deleted';
     END IF;
     -- Only erasure may touch a record: it clears the address, and may put a tombstone in place of the
     -- account and scrub the details; what happened (subject, action, basis, channel, app, time) stays.
     IF NEW.id IS DISTINCT FROM OLD.id
        OR NEW.subject_kind IS DISTINCT FROM OLD.subject_kind OR NEW.subject_ref IS DISTINCT FROM OLD.subject_ref
        OR NEW.action IS DISTINCT FROM OLD.action OR NEW.legal_basis IS DISTINCT FROM OLD.legal_basis
        OR NEW.channel IS DISTINCT FROM OLD.channel OR NEW.client_id IS DISTINCT FROM OLD.client_id
        OR NEW.created_at IS DISTINCT FROM OLD.created_at OR NEW.ip IS NOT NULL THEN
       RAISE EXCEPTION 'consent_records is append-only: only erasure may blank a record';
     END IF;
     RETURN NEW;
   END $$`,
  'DROP TRIGGER IF EXISTS consent_records_append_only ON consent_records',
  'CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE ON consent_records FOR EACH ROW EXECUTE FUNCTION consent_records_append_only()',
  'DROP TRIGGER IF EXISTS consent_records_no_truncate ON consent_records',
  'CREATE TRIGGER consent_records_no_truncate BEFORE TRUNCATE ON consent_records FOR EACH STATEMENT EXECUTE FUNCTION consent_records_append_only()',
  'CREATE INDEX IF NOT EXISTS consent_records_subject ON consent_records (account_id, subject_kind, subject_ref, created_at)',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
