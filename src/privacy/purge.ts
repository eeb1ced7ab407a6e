// Owns the purge at the end of an erasure's grace period: in one transaction (SQL only, no mail or HTTP),
// every row of the account goes from every table that has one, except the ledger and audit log, whose rows
// stay with a tombstone subject and their personal data cleared; rows holding one of the person's addresses
// without the account go too (found by the address, src/privacy/email-fields.ts).
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/create-db.ts';
import { renameActor } from '../events/audit-log.ts';
import type { EventOutbox } from '../events/outbox.ts';
import { FLOWS_TABLE, type FlowStore } from '../flows/store.ts';
import { EMAIL_FIELDS, findEmailValues } from './email-fields.ts';
import type { PrivacyQueries } from './queries.ts';
import { findAccountColumns, TEXT_TYPES, type AccountColumn, type SchemaColumn, type SchemaQueries } from './schema.ts';
import { scrubJson, stringsIn, type ScrubTarget } from './scrub.ts';

/** Append-only tables: the fact stays, the person goes (account → tombstone, personal fields cleared). */
export const TOMBSTONED_TABLES: Record<string, { key: string; accountColumn: string; jsonColumns: string[]; clearColumns: string[] }> = {
  events: { key: 'id', accountColumn: 'account_id', jsonColumns: ['data'], clearColumns: [] },
  consent_records: { key: 'id', accountColumn: 'account_id', jsonColumns: ['details'], clearColumns: ['ip'] },
};

/** The flows store erases an account's flows (and their codes) itself: only it touches that table. */
export type FlowEraser = Pick<FlowStore, 'eraseAccountFlows'>;
const ERASED_BY_OWNER = new Set([FLOWS_TABLE]);

/** Profile fields that do not single a person out; every other string the profile holds is scrubbed. */
const NOT_IDENTIFYING = new Set(['locale', 'zoneinfo', 'gender', 'updated_at', 'email_verified', 'phone_number_verified']);
const IDENTIFYING_COLUMN = /(^|_)(email|phone|phone_number)$/;

export interface PurgeDeps {
  db: Db;
  queries: PrivacyQueries;
  schema: SchemaQueries;
  events: EventOutbox;
  flows: FlowEraser;
}

/** The strings that identify the person: emails, linked-identity emails, phone numbers, profile values. */
async function collectNeedles(deps: PurgeDeps, accountId: string, accountColumns: AccountColumn[], columns: SchemaColumn[], trx: Db): Promise<string[]> {
  const needles = new Set(await deps.queries.findEmailsOfAccount(accountId, trx));
  for (const where of accountColumns) {
    const identifying = columns.filter((c) => c.table === where.table && IDENTIFYING_COLUMN.test(c.column));
    const profile = where.table === 'profile_values';
    if (!identifying.length && !profile) continue;
    for (const row of await deps.queries.selectRowsOfAccount(where, accountId, trx)) {
      for (const c of identifying) if (typeof row[c.column] === 'string') needles.add(row[c.column] as string);
      if (profile && !NOT_IDENTIFYING.has(String(row.field))) for (const s of stringsIn(row.value)) needles.add(s);
    }
  }
  return [...needles].filter((n) => n.trim().length >= 3);
}

async function tombstoneRows(deps: PurgeDeps, where: AccountColumn, target: ScrubTarget, columns: SchemaColumn[], trx: Db): Promise<void> {
  const spec = TOMBSTONED_TABLES[where.table]!;
  const types = new Map(columns.filter((c) => c.table === where.table).map((c) => [c.column, c.dataType]));
  for (const row of await deps.queries.selectRowsOfAccount(where, target.accountId, trx)) {
    const changes: Record<string, unknown> = { [spec.accountColumn]: target.tombstone };
    for (const column of spec.jsonColumns) {
      const scrubbed = { ...(scrubJson(row[column] ?? {}, target) as Record<string, unknown>), subject_erased: true };
      changes[column] = types.get(column) === 'jsonb' || types.get(column) === 'json' ? JSON.stringify(scrubbed) : scrubbed;
    }
    for (const column of spec.clearColumns) changes[column] = null;
    await deps.queries.updateRow(where.table, { column: spec.key, value: row[spec.key] }, changes, trx);
  }
}

/**
 * Purges an account whose erasure was requested. Keeps the accounts row (status erased, no personal data),
 * so its `sub` is never given out again. Emits `account.erased` carrying only the subject id.
 */
export async function purgeAccount(deps: PurgeDeps, accountId: string): Promise<boolean> {
  return deps.db.transaction(async (trx) => {
    const state = await deps.queries.findPrivacyState(accountId, trx, true);
    if (!state?.erasureRequestedAt || state.erasedAt) return false;
    const columns = await deps.schema.listColumns(trx);
    const accountColumns = await findAccountColumns(deps.schema, trx);
    const tables = new Set(columns.map((c) => c.table));
    const target: ScrubTarget = { accountId, tombstone: randomUUID(), needles: await collectNeedles(deps, accountId, accountColumns, columns, trx) };
    // The person's addresses: the account's, and those of its linked identities.
    const emails = target.needles.filter((n) => n.includes('@'));

    for (const where of accountColumns) if (TOMBSTONED_TABLES[where.table]) await tombstoneRows(deps, where, target, columns, trx);
    // Changes the person made as an administrator keep their actor, as the tombstone.
    await renameActor(trx, `admin:${accountId}`, `admin:${target.tombstone}`);
    await deps.flows.eraseAccountFlows(accountId, emails, trx);
    for (const field of EMAIL_FIELDS) {
      const values = tables.has(field.table) ? await findEmailValues(deps.queries, field, emails, trx) : [];
      if (values.length > 0) await deps.queries.deleteRowsWithEmailValues(field, values, trx);
    }
    for (const where of accountColumns) {
      if (!TOMBSTONED_TABLES[where.table] && !ERASED_BY_OWNER.has(where.table)) await deps.queries.deleteRowsOfAccount(where, accountId, trx);
    }
    const clear = columns.filter((c) => c.table === 'accounts' && c.nullable && TEXT_TYPES.has(c.dataType)).map((c) => c.column);
    await deps.queries.markAccountErased(accountId, clear, trx);
    await deps.events.emit({ type: 'account.erased', accountId, data: {} }, trx);
    return true;
  });
}
