// Webhooks: the downstream systems (CRM, marketing, analytics) that receive events and the profile fields
// they subscribed to, and one delivery row per (webhook, event), written with the event in its transaction
// so no event is ever missed. Idempotent: safe to run twice.
import type { Knex } from 'knex';

const statements = [
  `CREATE TABLE IF NOT EXISTS webhooks (
     id text PRIMARY KEY,
     name text NOT NULL,
     description text,
     url text NOT NULL,
     -- The signing secret, encrypted with FOYER_SECRET (context webhook:<id>).
     secret_sealed text NOT NULL,
     -- Event types or patterns ("*", "profile.*", "account.created") the system subscribed to.
     event_types jsonb NOT NULL DEFAULT '["*"]',
     -- Profile field keys (and "email") each delivery carries, as far as the customer's choices allow.
     fields jsonb NOT NULL DEFAULT '[]',
     enabled boolean NOT NULL DEFAULT true,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE IF NOT EXISTS webhook_deliveries (
     id text PRIMARY KEY,
     webhook_id text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
     event_id text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
     -- The event's account (export and erasure find the rows by it); null for events without one.
     account_id text,
     status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
     attempts integer NOT NULL DEFAULT 0,
     next_attempt_at timestamptz NOT NULL DEFAULT now(),
     -- A worker's lease: another instance leaves the row alone until then.
     locked_until timestamptz,
     last_status integer,
     last_error text,
     delivered_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now(),
     UNIQUE (webhook_id, event_id))`,
  `CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
  'CREATE INDEX IF NOT EXISTS webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at)',
  'CREATE INDEX IF NOT EXISTS webhook_deliveries_account ON webhook_deliveries (account_id) WHERE account_id IS NOT NULL',
];

export async function up(knex: Knex): Promise<void> {
  for (const sql of statements) await knex.raw(sql);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
