// Flows found by a secret the customer or an upstream holds (the federation state, a capture confirmation
// token, a link proof's browser token) are found by its keyed hash in the flow's context: each gets an
// index on that expression, partial (only the flows that carry one), so the lookup never scans the table.
// Idempotent: safe to run twice.
import type { Knex } from 'knex';

const LOOKUP_KEYS = { stateHash: 'flows_state_hash', tokenHash: 'flows_token_hash', browserHash: 'flows_browser_hash' };

export async function up(knex: Knex): Promise<void> {
  for (const [key, index] of Object.entries(LOOKUP_KEYS)) {
    await knex.raw(`CREATE INDEX IF NOT EXISTS ${index} ON flows ((context->>'${key}')) WHERE (context->>'${key}') IS NOT NULL`);
  }
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
