// Where a profile value was first given: the client of the app it was first given through (null: the account
// pages, an admin, an import, a social import). Cross-brand sharing counts a value as its first brand's, so
// editing it later at another brand's app does not hand it to that brand. Existing rows are filled from the
// audit log (the first `profile.updated` event that named the field since the row was made), else from the
// client that last gave it (the best left to know). Idempotent: the fill runs only when the column is added.
import type { Knex } from 'knex';

const FILL = `UPDATE profile_values p SET first_client_id = COALESCE((
    SELECT e.client_id FROM events e
     WHERE e.account_id = p.account_id::text AND e.type = 'profile.updated' AND e.created_at >= p.created_at
       AND e.data -> 'fields' @> jsonb_build_array(p.field)
     ORDER BY e.created_at, e.id LIMIT 1), p.client_id)`;

export async function up(knex: Knex): Promise<void> {
  const present = await knex.raw<{ rows: unknown[] }>(
    "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'profile_values' AND column_name = 'first_client_id'",
  );
  if (present.rows.length) return;
  await knex.raw('ALTER TABLE profile_values ADD COLUMN IF NOT EXISTS first_client_id text');
  await knex.raw(FILL);
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
