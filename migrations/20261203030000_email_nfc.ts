// Email addresses in Unicode NFC: lookups now compare addresses in NFC, so an address stored in another
// form (a decomposed "é" from an upstream identity provider) is rewritten to NFC, or it could never be
// found again. Where the NFC form already belongs to another row, both stay as they are: two accounts are
// never merged silently. Only rows holding a non-ASCII character can change. Idempotent: safe to run twice.
import type { Knex } from 'knex';

// As src/accounts/email-address.ts defines them when this migration was written (kept here unchanged).
const canonical = (email: string) => email.normalize('NFC').trim();
const normalized = (email: string) => canonical(email).toLowerCase().normalize('NFC');

interface EmailRow { email_normalized: string; email: string }

export async function up(knex: Knex): Promise<void> {
  const rows = await knex('account_emails')
    .whereRaw('octet_length(email_normalized) <> char_length(email_normalized) OR octet_length(email) <> char_length(email)')
    .select('email_normalized', 'email') as EmailRow[];
  for (const row of rows) {
    const next = { email_normalized: normalized(row.email_normalized), email: canonical(row.email) };
    if (next.email_normalized === row.email_normalized && next.email === row.email) continue;
    if (next.email_normalized !== row.email_normalized && await knex('account_emails').where({ email_normalized: next.email_normalized }).first()) continue;
    await knex('account_emails').where({ email_normalized: row.email_normalized }).update(next);
  }
}

// Forward-only: a rollback would lose data.
export async function down(): Promise<void> {
  throw new Error('Foyer migrations are forward-only');
}
