// Owns the data protection officer's view of the consent ledger: search with keyset paging, the proof of
// consent for one customer (every record with its signed receipt), counts per day, and a streamed export
// that holds one batch in memory whatever the size of the set. Reading only: the ledger stays append-only.
import type { Db } from '../db/create-db.ts';
import { toRecord, type ConsentRecord, type LedgerAction, type RecordRow, type SubjectKind } from './queries.ts';
import type { ReceiptService } from './receipts/service.ts';
import { TIMESTAMP_KEY, type CursorShape, type KeysetCursor } from '../paging/keyset-cursor.ts';

export interface VaultFilter {
  accountId?: string | undefined;
  kind?: SubjectKind | undefined;
  /** A purpose id (kind purpose), a document id (kind document, any version unless `version`), a client id, a topic:channel. */
  subject?: string | undefined;
  version?: string | undefined;
  action?: LedgerAction | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Where a page ends: the last record's time as the database writes it (to the microsecond) and its id; newest first. */
export type VaultCursor = KeysetCursor;

/** The cursor a vault page gives. */
export const VAULT_CURSOR: CursorShape = { key: TIMESTAMP_KEY, id: /^[\w.:-]{1,200}$/ };

export interface VaultStat {
  day: string;
  kind: SubjectKind;
  subject: string;
  action: LedgerAction;
  count: number;
}

const EXPORT_BATCH = 500;
const likePrefix = (value: string) => `${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createConsentVault(deps: { db: Db; receipts: ReceiptService }) {
  const { db } = deps;

  // The filter as SQL on consent_records; each condition uses the ledger's indexes where one applies.
  function filtered(filter: VaultFilter) {
    const query = db('consent_records');
    if (filter.accountId) query.where('account_id', filter.accountId);
    if (filter.kind) query.where('subject_kind', filter.kind);
    if (filter.subject !== undefined) {
      // Documents are recorded as document@version: one version, or every version of the document.
      if (filter.kind === 'document') {
        if (filter.version !== undefined) query.where('subject_ref', `${filter.subject}@${filter.version}`);
        else query.whereRaw("subject_ref LIKE ? ESCAPE '\\'", [likePrefix(`${filter.subject}@`)]);
      } else {
        query.where('subject_ref', filter.subject);
      }
    }
    if (filter.action) query.where('action', filter.action);
    if (filter.from) query.where('created_at', '>=', filter.from);
    if (filter.to) query.where('created_at', '<', filter.to);
    return query;
  }

  /** Up to `limit` records after `after`, and where the last of them ends. */
  async function page(filter: VaultFilter, limit: number, after?: VaultCursor): Promise<{ records: ConsentRecord[]; rows: VaultCursor[] }> {
    const query = filtered(filter);
    if (after) query.whereRaw('(created_at, id) < (?::timestamptz, ?)', [after.key, after.id]);
    const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(limit)
      .select('*', db.raw('created_at::text AS created_key')) as (RecordRow & { created_key: string })[];
    return { records: rows.map(toRecord), rows: rows.map((r) => ({ key: r.created_key, id: r.id })) };
  }

  return {
    /** One page, newest first, and the cursor of the next one (absent on the last page). */
    async search(filter: VaultFilter, options: { limit: number; after?: VaultCursor | undefined }): Promise<{ records: ConsentRecord[]; next?: VaultCursor }> {
      const found = await page(filter, options.limit + 1, options.after);
      const records = found.records.slice(0, options.limit);
      const last = found.rows[options.limit - 1];
      return found.records.length > options.limit && last ? { records, next: last } : { records };
    },

    async count(filter: VaultFilter): Promise<number> {
      const row = await filtered(filter).count<{ n: string | number }[]>({ n: '*' }).first();
      return Number(row?.n ?? 0);
    },

    /** Every matching record, newest first, read a batch at a time (bounded memory for any number of rows). */
    async *stream(filter: VaultFilter): AsyncGenerator<ConsentRecord> {
      let after: VaultCursor | undefined;
      for (;;) {
        const batch = await page(filter, EXPORT_BATCH, after);
        yield* batch.records;
        const last = batch.rows.at(-1);
        if (batch.records.length < EXPORT_BATCH || !last) return;
        after = last;
      }
    },

    /** Records per UTC day, kind, subject (documents by version) and action, between from and to. */
    async stats(filter: VaultFilter): Promise<VaultStat[]> {
      const rows = await filtered(filter)
        .select(db.raw("to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day"), 'subject_kind', 'subject_ref', 'action')
        .count<{ day: string; subject_kind: SubjectKind; subject_ref: string; action: LedgerAction; n: string | number }[]>({ n: '*' })
        .groupByRaw('1, subject_kind, subject_ref, action')
        .orderByRaw('1, subject_kind, subject_ref, action');
      return rows.map((r) => ({ day: r.day, kind: r.subject_kind, subject: r.subject_ref, action: r.action, count: Number(r.n) }));
    },

    /** The proof of consent for one customer: every record, oldest first, each with its signed receipt. */
    async proof(accountId: string): Promise<{ record: ConsentRecord; receipt: string | undefined }[]> {
      const records = (await filtered({ accountId }).orderBy([{ column: 'created_at', order: 'asc' }, { column: 'id', order: 'asc' }]).select('*') as RecordRow[]).map(toRecord);
      const proofs = [];
      for (const record of records) proofs.push({ record, receipt: await deps.receipts.receiptFor(accountId, record.id) });
      return proofs;
    },
  };
}

export type ConsentVault = ReturnType<typeof createConsentVault>;
