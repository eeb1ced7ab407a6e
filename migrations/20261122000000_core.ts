// The core schema: oidc-provider models, clients, resources, signing keys, accounts, sign-in flows,
// one-time codes, throttles, consent (terms + per-client scopes), dev outbox. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS oidc_models (
     model text NOT NULL,
     id text NOT NULL,
     payload jsonb NOT NULL,
     grant_id text,
     uid text,
     user_code text,
     account_id text,
     consumed_at timestamptz,
     expires_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (model, id))`,
  'CREATE INDEX IF NOT EXISTS oidc_models_grant_id ON oidc_models (grant_id) WHERE grant_id IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS oidc_models_uid ON oidc_models (uid) WHERE uid IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS oidc_models_user_code ON oidc_models (user_code) WHERE user_code IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS oidc_models_account_id ON oidc_models (model, account_id) WHERE account_id IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS oidc_models_expires_at ON oidc_models (expires_at) WHERE expires_at IS NOT NULL',

  `CREATE TABLE IF NOT EXISTS clients (
     client_id text PRIMARY KEY,
     name text NOT NULL,
     metadata jsonb NOT NULL,
     secret_encrypted text,
     first_party boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS resources (
     id text PRIMARY KEY,
     scopes jsonb NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS signing_keys (
     kid text PRIMARY KEY,
     alg text NOT NULL,
     private_jwk_encrypted text NOT NULL,
     public_jwk jsonb NOT NULL,
     retired_at timestamptz,
     publish_until timestamptz,
     created_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS accounts (
     id uuid PRIMARY KEY,
     status text NOT NULL CHECK (status IN ('lite', 'active', 'restricted', 'disabled', 'erased')),
     password_hash text,
     password_changed_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS account_emails (
     email_normalized text PRIMARY KEY,
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     email text NOT NULL,
     is_primary boolean NOT NULL DEFAULT true,
     verified_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS account_emails_account_id ON account_emails (account_id)',

  `CREATE TABLE IF NOT EXISTS profile_values (
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     field text NOT NULL,
     value jsonb NOT NULL,
     source text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account_id, field))`,

  `CREATE TABLE IF NOT EXISTS flows (
     id text PRIMARY KEY,
     kind text NOT NULL,
     state text NOT NULL,
     interaction_uid text,
     account_id uuid,
     context jsonb NOT NULL DEFAULT '{}',
     expires_at timestamptz NOT NULL,
     version integer NOT NULL DEFAULT 1,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS flows_interaction_uid ON flows (interaction_uid) WHERE interaction_uid IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS flows_expires_at ON flows (expires_at)',

  `CREATE TABLE IF NOT EXISTS one_time_codes (
     id text PRIMARY KEY,
     flow_id text NOT NULL,
     purpose text NOT NULL,
     code_hash text NOT NULL,
     attempts integer NOT NULL DEFAULT 0,
     expires_at timestamptz NOT NULL,
     consumed_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS one_time_codes_flow ON one_time_codes (flow_id, purpose)',

  `CREATE TABLE IF NOT EXISTS throttles (
     key text PRIMARY KEY,
     hits integer NOT NULL,
     window_ends_at timestamptz NOT NULL,
     last_hit_at timestamptz NOT NULL DEFAULT now(),
     created_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS throttles_window_ends_at ON throttles (window_ends_at)',

  `CREATE TABLE IF NOT EXISTS consent_documents (
     id text PRIMARY KEY,
     title text NOT NULL,
     required boolean NOT NULL DEFAULT true,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,

  `CREATE TABLE IF NOT EXISTS consent_document_versions (
     document_id text NOT NULL REFERENCES consent_documents (id),
     version text NOT NULL,
     url text,
     material boolean NOT NULL DEFAULT true,
     published_at timestamptz NOT NULL DEFAULT now(),
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (document_id, version))`,

  `CREATE TABLE IF NOT EXISTS consent_records (
     id text PRIMARY KEY,
     account_id uuid,
     subject_kind text NOT NULL CHECK (subject_kind IN ('document', 'client_scopes', 'purpose')),
     subject_ref text NOT NULL,
     action text NOT NULL CHECK (action IN ('grant', 'withdraw')),
     details jsonb NOT NULL DEFAULT '{}',
     legal_basis text NOT NULL,
     channel text NOT NULL,
     client_id text,
     ip text,
     created_at timestamptz NOT NULL DEFAULT now())`,
  'CREATE INDEX IF NOT EXISTS consent_records_account ON consent_records (account_id, created_at)',

  `CREATE TABLE IF NOT EXISTS client_consents (
     account_id uuid NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
     client_id text NOT NULL,
     granted_scopes jsonb NOT NULL DEFAULT '[]',
     rejected_scopes jsonb NOT NULL DEFAULT '[]',
     resource_scopes jsonb NOT NULL DEFAULT '{}',
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account_id, client_id))`,

  `CREATE TABLE IF NOT EXISTS dev_outbox (
     id text PRIMARY KEY,
     recipient text NOT NULL,
     subject text NOT NULL,
     text_body text NOT NULL,
     html_body text,
     created_at timestamptz NOT NULL DEFAULT now())`,

  `INSERT INTO consent_documents (id, title, required) VALUES ('terms', 'Terms of service', true) ON CONFLICT (id) DO NOTHING`,
  `INSERT INTO consent_document_versions (document_id, version, material) VALUES ('terms', '1', true) ON CONFLICT DO NOTHING`,
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
