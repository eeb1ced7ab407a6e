// Brands: a brand groups apps (clients) and gives their pages and mails a look (logo, colours, font), links,
// a default language, its own terms documents and purposes, and template overrides. The `default` brand
// exists from the start, so every app belongs to one and nothing changes until an operator adds brands.
// Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS brands (
    id text PRIMARY KEY,
    name text NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}',
    logo bytea,
    logo_type text,
    logo_hash text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE IF NOT EXISTS brand_clients (
    client_id text PRIMARY KEY,
    brand_id text NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  'CREATE INDEX IF NOT EXISTS brand_clients_brand ON brand_clients (brand_id)',
  `CREATE TABLE IF NOT EXISTS brand_templates (
    brand_id text NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    name text NOT NULL,
    source text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (brand_id, name)
  )`,
  "INSERT INTO brands (id, name) VALUES ('default', '') ON CONFLICT (id) DO NOTHING",
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
