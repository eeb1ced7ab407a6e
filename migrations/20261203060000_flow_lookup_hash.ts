// Flows found by a secret the customer or an upstream holds (federation state, capture confirm link, the
// browser proof of a pending link) are found by a keyed hash of it in an indexed column, not by scanning
// their JSON context. Rows written before this change have no hash: they are short-lived and simply expire.
// Idempotent: safe to run twice.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE flows ADD COLUMN IF NOT EXISTS lookup_hash text');
  await knex.raw('CREATE UNIQUE INDEX IF NOT EXISTS flows_kind_lookup_hash ON flows (kind, lookup_hash)');
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
