// Owns the privacy columns of accounts (processing restriction, erasure request and grace period) and the
// generic reads and writes that export and erasure make over every table holding an account's rows.
import type { Db } from '../db/create-db.ts';
import type { AccountColumn } from './schema.ts';

export interface PrivacyState {
  accountId: string;
  status: string;
  restrictedAt: Date | null;
  erasureRequestedAt: Date | null;
  eraseAfter: Date | null;
  erasedAt: Date | null;
  statusBeforeErasure: string | null;
}

interface PrivacyRow {
  id: string;
  status: string;
  processing_restricted_at: Date | null;
  erasure_requested_at: Date | null;
  erase_after: Date | null;
  erased_at: Date | null;
  status_before_erasure: string | null;
}

const date = (value: Date | null) => (value ? new Date(value) : null);
const toState = (r: PrivacyRow): PrivacyState => ({
  accountId: r.id, status: r.status, restrictedAt: date(r.processing_restricted_at), erasureRequestedAt: date(r.erasure_requested_at),
  eraseAfter: date(r.erase_after), erasedAt: date(r.erased_at), statusBeforeErasure: r.status_before_erasure,
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A place where an email is written without the account id (src/privacy/email-fields.ts lists them). */
export interface EmailField {
  table: string;
  column: string;
  /** Where the address sits inside a JSON column. */
  path?: string[];
  /** Only rows whose `column` holds one of `values`. */
  only?: { column: string; values: string[] };
}

type Sql = [string, string[]];
const emailFieldSql = (field: EmailField): Sql => (field.path ? ['(??#>>?::text[])', [field.column, `{${field.path.join(',')}}`]] : ['??', [field.column]]);
const onlySql = (field: EmailField): Sql => (field.only ? [` AND ?? IN (${field.only.values.map(() => '?').join(', ')})`, [field.only.column, ...field.only.values]] : ['', []]);
function emailValuesSql(field: EmailField, values: string[]): Sql {
  const [value, bindings] = emailFieldSql(field);
  const [only, onlyBindings] = onlySql(field);
  return [`${value} IN (${values.map(() => '?').join(', ')})${only}`, [...bindings, ...values, ...onlyBindings]];
}

export function createPrivacyQueries(db: Db) {
  return {
    async findPrivacyState(accountId: string, trx: Db = db, lock = false): Promise<PrivacyState | undefined> {
      if (!UUID.test(accountId)) return undefined;
      const query = trx<PrivacyRow>('accounts').where({ id: accountId })
        .select('id', 'status', 'processing_restricted_at', 'erasure_requested_at', 'erase_after', 'erased_at', 'status_before_erasure');
      const row = await (lock ? query.forUpdate() : query).first();
      return row && toState(row);
    },
    /** True when the account restricted processing (the flag, or the older status 'restricted'). */
    async isProcessingRestricted(accountId: string, trx: Db = db): Promise<boolean> {
      if (!UUID.test(accountId)) return false;
      const row = await trx('accounts').where({ id: accountId })
        .andWhere((q) => q.whereNotNull('processing_restricted_at').orWhere('status', 'restricted')).first('id');
      return Boolean(row);
    },
    async setProcessingRestricted(accountId: string, restricted: boolean, trx: Db = db): Promise<void> {
      await trx('accounts').where({ id: accountId })
        .update({ processing_restricted_at: restricted ? trx.fn.now() : null, updated_at: trx.fn.now() });
    },
    async markErasureRequested(accountId: string, previousStatus: string, eraseAfter: Date, trx: Db = db): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({
        status: 'disabled', status_before_erasure: previousStatus, erasure_requested_at: trx.fn.now(), erase_after: eraseAfter, updated_at: trx.fn.now(),
      });
    },
    async clearErasureRequest(accountId: string, status: string, trx: Db = db): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({
        status, status_before_erasure: null, erasure_requested_at: null, erase_after: null, updated_at: trx.fn.now(),
      });
    },
    /** Requests whose grace period is over and that are not purged yet, oldest first. */
    async findDueErasures(now: Date, limit: number, trx: Db = db): Promise<string[]> {
      const rows = await trx('accounts').whereNotNull('erasure_requested_at').whereNull('erased_at').where('erase_after', '<=', now)
        .orderBy('erase_after').limit(limit).select('id') as { id: string }[];
      return rows.map((r) => r.id);
    },
    async findEmailsOfAccount(accountId: string, trx: Db = db): Promise<string[]> {
      const rows = await trx('account_emails').where({ account_id: accountId }).select('email', 'email_normalized') as { email: string; email_normalized: string }[];
      return rows.flatMap((r) => [r.email, r.email_normalized]);
    },
    /** Every row of `table` whose account column holds the account (any column type, compared as text). */
    async selectRowsOfAccount(where: AccountColumn, accountId: string, trx: Db = db): Promise<Record<string, unknown>[]> {
      const result = await trx.raw<{ rows: Record<string, unknown>[] }>('SELECT * FROM ?? WHERE ??::text = ?', [where.table, where.column, accountId]);
      return result.rows;
    },
    async deleteRowsOfAccount(where: AccountColumn, accountId: string, trx: Db = db): Promise<void> {
      await trx.raw('DELETE FROM ?? WHERE ??::text = ?', [where.table, where.column, accountId]);
    },
    /**
     * Distinct stored values of an email field that may be one of `normalized` (addresses as normalizeEmail
     * gives them): those equal once lower-cased, plus every value with a non-ASCII or space character, whose
     * case folding and trimming the database may do otherwise; the caller compares them exactly.
     */
    async selectEmailFieldCandidates(field: EmailField, normalized: string[], trx: Db = db): Promise<string[]> {
      if (normalized.length === 0) return [];
      const [value, bindings] = emailFieldSql(field);
      const [only, onlyBindings] = onlySql(field);
      const result = await trx.raw<{ rows: { value: string }[] }>(
        `SELECT DISTINCT ${value} AS value FROM ?? WHERE ${value} IS NOT NULL${only}
           AND (lower(${value}) IN (${normalized.map(() => '?').join(', ')}) OR octet_length(${value}) <> char_length(${value}) OR ${value} ~ '[[:space:]]')`,
        [...bindings, field.table, ...bindings, ...onlyBindings, ...bindings, ...normalized, ...bindings, ...bindings, ...bindings],
      );
      return result.rows.map((r) => r.value);
    },
    async deleteRowsWithEmailValues(field: EmailField, values: string[], trx: Db = db): Promise<void> {
      const [where, bindings] = emailValuesSql(field, values);
      await trx.raw(`DELETE FROM ?? WHERE ${where}`, [field.table, ...bindings]);
    },
    async updateRow(table: string, key: { column: string; value: unknown }, changes: Record<string, unknown>, trx: Db = db): Promise<void> {
      await trx(table).where(key.column, key.value as string).update(changes);
    },
    /** Ends the account's life as a person: status erased, every nullable text column (hashes, PII) cleared. */
    async markAccountErased(accountId: string, clearColumns: string[], trx: Db = db): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({
        ...Object.fromEntries(clearColumns.map((c) => [c, null])),
        status: 'erased', erased_at: trx.fn.now(), processing_restricted_at: null, updated_at: trx.fn.now(),
      });
    },
  };
}

export type PrivacyQueries = ReturnType<typeof createPrivacyQueries>;
