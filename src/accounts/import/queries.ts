// Owns the import's tables (import_jobs, import_rejections, account_imports) and its batch reads and writes of
// accounts and their emails. Every function takes a knex (root or transaction); writes expect the batch's transaction.
import { encodeCursor, TIMESTAMP_KEY, type CursorShape, type KeysetCursor } from '../../paging/keyset-cursor.ts';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/create-db.ts';
import type { AccountStatus } from '../queries.ts';
import type { KnownAccount } from './plan.ts';
import type { ImportFormat } from './sources.ts';

export interface NewImportedAccount {
  status: AccountStatus;
  passwordHash: string | null;
  email: string;
  emailNormalized: string;
  emailVerified: boolean;
  externalId: string | null;
}

export interface ImportCounts {
  rowsRead: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export type ImportJobStatus = 'running' | 'finished' | 'failed';
export const IMPORT_JOB_STATUSES = ['running', 'finished', 'failed'] as const satisfies readonly ImportJobStatus[];
/** The cursor a page of import jobs gives: the last job's time (to the microsecond) and id. */
export const IMPORT_JOB_CURSOR: CursorShape = { key: TIMESTAMP_KEY, id: /^[\w-]{1,100}$/ };
/** The cursor a page of an import's rejections gives: the last rejected line, and the job's id (a cursor belongs to its import). */
export const IMPORT_REJECTION_CURSOR: CursorShape = { key: /^\d{1,10}$/, id: /^[\w-]{1,100}$/ };

export interface ImportJob extends ImportCounts {
  id: string;
  status: ImportJobStatus;
  format: ImportFormat;
  actor: string;
  bytesRead: number;
  bytesTotal: number | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface Rejection {
  line: number;
  reason: string;
}

interface JobRow {
  id: string; status: ImportJobStatus; format: ImportFormat; actor: string; rows_read: number; created_count: number; updated_count: number;
  unchanged_count: number; rejected_count: number; bytes_read: string | number; bytes_total: string | number | null; error: string | null;
  created_at: Date; updated_at: Date; finished_at: Date | null;
}

const toJob = (r: JobRow): ImportJob => ({
  id: r.id, status: r.status, format: r.format, actor: r.actor, rowsRead: Number(r.rows_read), created: Number(r.created_count), updated: Number(r.updated_count),
  unchanged: Number(r.unchanged_count), rejected: Number(r.rejected_count), bytesRead: Number(r.bytes_read), bytesTotal: r.bytes_total === null ? null : Number(r.bytes_total),
  error: r.error, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at), finishedAt: r.finished_at ? new Date(r.finished_at) : null,
});

interface KnownRow {
  id: string; status: AccountStatus; password_hash: string | null; password_from_import: boolean | null; erase_after: Date | null; external_id: string | null;
}

export function createImportQueries(db: Db) {
  return {
    async findAccountIdsByEmails(emails: string[], trx: Db = db): Promise<Map<string, string>> {
      if (!emails.length) return new Map();
      const rows = await trx('account_emails').whereIn('email_normalized', emails).select('email_normalized', 'account_id') as { email_normalized: string; account_id: string }[];
      return new Map(rows.map((r) => [r.email_normalized, r.account_id]));
    },
    async findAccountIdsByExternalIds(externalIds: string[], trx: Db = db): Promise<Map<string, string>> {
      if (!externalIds.length) return new Map();
      const rows = await trx('account_imports').whereIn('external_id', externalIds).select('external_id', 'account_id') as { external_id: string; account_id: string }[];
      return new Map(rows.map((r) => [r.external_id, r.account_id]));
    },
    /** The accounts with their emails and import records; profile values are the caller's to add. */
    async findKnownAccounts(ids: string[], trx: Db = db): Promise<Map<string, KnownAccount>> {
      if (!ids.length) return new Map();
      const rows = await trx('accounts as a').leftJoin('account_imports as i', 'i.account_id', 'a.id').whereIn('a.id', ids)
        .select('a.id', 'a.status', 'a.password_hash', 'a.erase_after', 'i.external_id', trx.raw('a.password_changed_at = i.password_set_at AS password_from_import')) as KnownRow[];
      const emails = await trx('account_emails').whereIn('account_id', ids).select('account_id', 'email_normalized', 'verified_at', 'is_primary') as { account_id: string; email_normalized: string; verified_at: Date | null; is_primary: boolean }[];
      const known = new Map<string, KnownAccount>(rows.map((r) => [r.id, {
        id: r.id, status: r.status, passwordHash: r.password_hash, passwordFromImport: r.password_from_import === true, eraseAfter: r.erase_after ? new Date(r.erase_after) : null,
        externalId: r.external_id, emails: new Map(), profile: new Map(),
      }]));
      for (const e of emails) known.get(e.account_id)?.emails.set(e.email_normalized, { verified: e.verified_at !== null, primary: e.is_primary });
      return known;
    },

    /** Creates accounts, their main email and import record; false when an email was taken meanwhile (the caller rolls back). */
    async insertAccounts(accounts: NewImportedAccount[], jobId: string, trx: Db): Promise<{ inserted: boolean; ids: string[] }> {
      const rows = accounts.map((a) => ({ ...a, id: randomUUID() }));
      await trx('accounts').insert(rows.map((a) => ({ id: a.id, status: a.status, password_hash: a.passwordHash, password_changed_at: a.passwordHash ? trx.fn.now() : null })));
      const emails = await trx('account_emails').insert(rows.map((a) => ({
        email_normalized: a.emailNormalized, account_id: a.id, email: a.email, is_primary: true, verified_at: a.emailVerified ? trx.fn.now() : null,
      }))).onConflict('email_normalized').ignore().returning('email_normalized') as unknown[];
      await trx('account_imports').insert(rows.map((a) => ({ account_id: a.id, external_id: a.externalId, password_set_at: a.passwordHash ? trx.fn.now() : null, job_id: jobId })));
      return { inserted: emails.length === rows.length, ids: rows.map((r) => r.id) };
    },
    /** The row's email becomes the account's main one (the old main one goes); false when another account has it. */
    async replacePrimaryEmail(accountId: string, email: { email: string; emailNormalized: string; verified: boolean }, trx: Db): Promise<boolean> {
      await trx('account_emails').where({ account_id: accountId, is_primary: true }).delete();
      const rows = await trx('account_emails').insert({ email_normalized: email.emailNormalized, account_id: accountId, email: email.email, is_primary: true, verified_at: email.verified ? trx.fn.now() : null })
        .onConflict('email_normalized').ignore().returning('email_normalized') as unknown[];
      return rows.length === 1;
    },
    async markEmailVerified(accountId: string, emailNormalized: string, trx: Db): Promise<void> {
      await trx('account_emails').where({ account_id: accountId, email_normalized: emailNormalized }).whereNull('verified_at').update({ verified_at: trx.fn.now(), updated_at: trx.fn.now() });
    },
    /** Sets an imported password where the account's is still `expected`; false when it changed meanwhile. */
    async setImportedPassword(accountId: string, hash: string, expected: string | null, trx: Db): Promise<boolean> {
      const changed = await trx('accounts').where({ id: accountId }).andWhereRaw('password_hash IS NOT DISTINCT FROM ?', [expected])
        .update({ password_hash: hash, password_changed_at: trx.fn.now(), updated_at: trx.fn.now() });
      if (changed === 1) await trx('account_imports').where({ account_id: accountId }).update({ password_set_at: trx.fn.now() });
      return changed === 1;
    },
    /**
     * Changes made: the account's updated_at, lite to active when it got a way to sign in, and the import record.
     * True when this call turned a lite account into a full one (the row lock makes that true for one caller only).
     */
    async touchImportedAccount(accountId: string, change: { activate: boolean; externalId: string | null }, jobId: string, trx: Db): Promise<boolean> {
      const upgraded = change.activate && (await trx('accounts').where({ id: accountId, status: 'lite' }).update({ status: 'active', updated_at: trx.fn.now() })) > 0;
      if (!upgraded) await trx('accounts').where({ id: accountId }).update({ updated_at: trx.fn.now() });
      await trx('account_imports').insert({ account_id: accountId, external_id: change.externalId, job_id: jobId })
        .onConflict('account_id').merge({ job_id: jobId, updated_at: trx.fn.now(), ...(change.externalId ? { external_id: change.externalId } : {}) });
      return upgraded;
    },

    async createJob(job: { format: ImportFormat; actor: string; bytesTotal: number | null }, trx: Db = db): Promise<string> {
      const id = `imp_${randomUUID().replaceAll('-', '')}`;
      await trx('import_jobs').insert({ id, status: 'running', format: job.format, actor: job.actor, bytes_total: job.bytesTotal });
      return id;
    },
    /** Adds a batch's counts and rejections (in the batch's transaction, so the job tells what was written). */
    async recordBatch(jobId: string, counts: ImportCounts, rejections: Rejection[], bytesRead: number, trx: Db = db): Promise<void> {
      await trx('import_jobs').where({ id: jobId }).update({
        rows_read: trx.raw('rows_read + ?', [counts.rowsRead]), created_count: trx.raw('created_count + ?', [counts.created]),
        updated_count: trx.raw('updated_count + ?', [counts.updated]), unchanged_count: trx.raw('unchanged_count + ?', [counts.unchanged]),
        rejected_count: trx.raw('rejected_count + ?', [counts.rejected]), bytes_read: bytesRead, updated_at: trx.fn.now(),
      });
      if (rejections.length) {
        await trx('import_rejections').insert(rejections.map((r) => ({ job_id: jobId, line: r.line, reason: r.reason.slice(0, 500) }))).onConflict(['job_id', 'line']).ignore();
      }
    },
    async finishJob(jobId: string, outcome: { status: 'finished' | 'failed'; error?: string }, trx: Db = db): Promise<void> {
      await trx('import_jobs').where({ id: jobId }).update({ status: outcome.status, error: outcome.error?.slice(0, 1000) ?? null, finished_at: trx.fn.now(), updated_at: trx.fn.now() });
    },
    async findJob(jobId: string, trx: Db = db): Promise<ImportJob | undefined> {
      const row = await trx('import_jobs').where({ id: jobId }).first() as JobRow | undefined;
      return row && toJob(row);
    },
    /** A page of jobs, newest first (of one status when asked), continuing after `cursor`; `next` continues after the last. */
    async listJobs(page: { limit: number; cursor?: KeysetCursor | undefined; status?: ImportJobStatus | undefined }, trx: Db = db): Promise<{ jobs: ImportJob[]; next: string | null }> {
      const query = trx('import_jobs').select('*', trx.raw('created_at::text AS created_key'));
      if (page.status) query.where('status', page.status);
      if (page.cursor) query.whereRaw('(created_at, id) < (?::timestamptz, ?)', [page.cursor.key, page.cursor.id]);
      const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(page.limit + 1) as (JobRow & { created_key: string })[];
      const shown = rows.slice(0, page.limit);
      const last = shown.at(-1);
      return { jobs: shown.map(toJob), next: rows.length > page.limit && last ? encodeCursor({ key: last.created_key, id: last.id }) : null };
    },
    /** A page of a job's rejections by line, continuing after `cursor` (its key is the last line shown); `next` continues after the last. */
    async listRejections(jobId: string, page: { limit: number; cursor?: KeysetCursor | undefined }, trx: Db = db): Promise<{ rejections: Rejection[]; next: string | null }> {
      const rows = await trx('import_rejections').where({ job_id: jobId }).andWhere('line', '>', Number(page.cursor?.key ?? 0))
        .orderBy('line').limit(page.limit + 1).select('line', 'reason') as Rejection[];
      const shown = rows.slice(0, page.limit);
      const last = shown.at(-1);
      return { rejections: shown, next: rows.length > page.limit && last ? encodeCursor({ key: String(last.line), id: jobId }) : null };
    },

    /** Accounts for the export, by id after `afterId` (keyset paging), erased ones left out. */
    async listAccountsForExport(afterId: string | null, limit: number, trx: Db = db) {
      const rows = await trx('accounts as a')
        .leftJoin('account_emails as e', function primary() {
          this.on('e.account_id', 'a.id').andOn('e.is_primary', trx.raw('true'));
        })
        .leftJoin('account_imports as i', 'i.account_id', 'a.id')
        .whereNot('a.status', 'erased').modify((q) => { if (afterId) q.where('a.id', '>', afterId); })
        .orderBy('a.id').limit(limit)
        .select('a.id', 'a.status', 'a.password_hash', 'a.created_at', 'e.email', 'e.verified_at', 'i.external_id') as {
          id: string; status: AccountStatus; password_hash: string | null; created_at: Date; email: string | null; verified_at: Date | null; external_id: string | null;
        }[];
      return rows;
    },
  };
}

export type ImportQueries = ReturnType<typeof createImportQueries>;
