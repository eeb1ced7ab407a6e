// Owns running a customer import: reads the file as it streams (bounded memory), checks each row, and writes
// rows in batches, each batch in one transaction with its counts and rejections, so a job's record always
// tells what was written. A batch that meets a change made meanwhile (a sign-up with the same email, another
// import) rolls back whole and its rows are written one at a time instead; a row that still conflicts is
// refused with the reason. Re-running a file changes nothing: rows are upserted by external id or email.
import type { Readable } from 'node:stream';
import type { Db } from '../../db/create-db.ts';
import type { DomainEvent } from '../../events/outbox.ts';
import type { ProfileField } from '../../profile/schema.ts';
import type { ProfileQueries } from '../../profile/queries.ts';
import type { FederatedIdentityQueries } from '../../authn/federation/identities.ts';
import type { Logger } from '../../log.ts';
import { decideRow, rowKeys, type Decision, type Snapshot } from './plan.ts';
import type { FirebaseProject } from './password.ts';
import type { ImportCounts, ImportJob, ImportQueries, Rejection } from './queries.ts';
import { readImportRow, type ImportRow } from './row.ts';
import { ImportFileError, readImportFile, type ImportFormat } from './sources.ts';

export interface CustomerImportDeps {
  db: Db;
  queries: ImportQueries;
  profileValues: Pick<ProfileQueries, 'findValuesOfAccounts' | 'writeImportedValues'>;
  identities: Pick<FederatedIdentityQueries, 'findOwners' | 'linkImportedIdentities'>;
  /** The profile schema as it is now (reloaded when another instance changed it). */
  profileFields: () => Promise<ReadonlyMap<string, ProfileField>>;
  firebase: FirebaseProject | undefined;
  /** Appends an event; given the batch's transaction, the event commits (or rolls back) with the change. */
  emit: (event: DomainEvent, trx?: Db) => Promise<unknown>;
  log: Logger;
  batchSize?: number;
}

export interface ImportRun {
  input: Readable;
  format: ImportFormat;
  /** Who imports: `cli:<os user>` or `client:<admin API client>`. */
  actor: string;
  bytesTotal?: number | null;
  onProgress?: (job: Pick<ImportJob, 'rowsRead' | 'created' | 'updated' | 'unchanged' | 'rejected' | 'bytesRead'>) => void;
  signal?: AbortSignal;
}

interface Candidate {
  line: number;
  row: ImportRow;
}

/** Something else changed what a batch read: retry its rows one at a time. */
class ImportConflict extends Error {}
const isConflict = (error: unknown) => error instanceof ImportConflict || (error as { code?: string }).code === '23505';
const DEFAULT_BATCH = 500;
const zero = (): ImportCounts => ({ rowsRead: 0, created: 0, updated: 0, unchanged: 0, rejected: 0 });

export function createCustomerImport(deps: CustomerImportDeps) {
  const { db, queries } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;

  async function readSnapshot(candidates: Candidate[]): Promise<Snapshot> {
    const emails = [...new Set(candidates.map((c) => c.row.emailNormalized))];
    const externalIds = [...new Set(candidates.flatMap((c) => (c.row.externalId ? [c.row.externalId] : [])))];
    const byEmailIds = await queries.findAccountIdsByEmails(emails);
    const byExternalIds = await queries.findAccountIdsByExternalIds(externalIds);
    const identities = await deps.identities.findOwners(candidates.flatMap((c) => c.row.identities));
    const ids = [...new Set([...byEmailIds.values(), ...byExternalIds.values()])];
    const known = await queries.findKnownAccounts(ids);
    const fields = [...new Set(candidates.flatMap((c) => Object.keys(c.row.profile)))];
    for (const v of await deps.profileValues.findValuesOfAccounts(ids, fields)) known.get(v.accountId)?.profile.set(v.field, { value: v.value, source: v.source });
    const resolve = (m: Map<string, string>) => new Map([...m].flatMap(([key, id]) => (known.has(id) ? [[key, known.get(id)!] as const] : [])));
    return { byEmail: resolve(byEmailIds), byExternalId: resolve(byExternalIds), identities };
  }

  /** Writes the decisions in the batch's transaction; throws ImportConflict when the database moved meanwhile. */
  async function write(jobId: string, decisions: Decision[], trx: Db): Promise<void> {
    const creates = decisions.flatMap((d) => (d.kind === 'create' ? [d.row] : []));
    const profile: { accountId: string; field: string; value: unknown }[] = [];
    const identities: { accountId: string; connector: string; subject: string; email: string | null }[] = [];
    if (creates.length) {
      const { inserted, ids } = await queries.insertAccounts(creates.map((row) => ({
        status: row.passwordHash || row.identities.length ? 'active' : 'lite', passwordHash: row.passwordHash, email: row.email.trim(),
        emailNormalized: row.emailNormalized, emailVerified: row.emailVerified, externalId: row.externalId,
      })), jobId, trx);
      if (!inserted) throw new ImportConflict('an email was taken meanwhile');
      creates.forEach((row, i) => {
        for (const [field, value] of Object.entries(row.profile)) profile.push({ accountId: ids[i]!, field, value });
        for (const identity of row.identities) identities.push({ ...identity, accountId: ids[i]! });
      });
    }
    for (const d of decisions) {
      if (d.kind !== 'update') continue;
      const { change, row } = d;
      // A lite account given a way to sign in became a full one: the same event as the journey's upgrades (the dashboard counts it).
      if (await queries.touchImportedAccount(change.accountId, { activate: change.activate, externalId: change.externalId }, jobId, trx)) {
        await deps.emit({ type: 'account.upgraded', accountId: change.accountId, data: { via: 'import', job: jobId } }, trx);
      }
      if (change.replaceEmail && !(await queries.replacePrimaryEmail(change.accountId, { email: row.email.trim(), emailNormalized: row.emailNormalized, verified: row.emailVerified }, trx))) {
        throw new ImportConflict('the email was taken meanwhile');
      }
      if (change.verifyEmail && !change.replaceEmail) await queries.markEmailVerified(change.accountId, row.emailNormalized, trx);
      if (change.password && !(await queries.setImportedPassword(change.accountId, row.passwordHash!, change.password.expected, trx))) {
        throw new ImportConflict('the password changed meanwhile');
      }
      for (const [field, value] of change.profile) profile.push({ accountId: change.accountId, field, value });
      for (const identity of change.identities) identities.push({ ...identity, accountId: change.accountId });
    }
    await deps.profileValues.writeImportedValues(profile, trx);
    if (!(await deps.identities.linkImportedIdentities(identities, trx))) throw new ImportConflict('an identity was linked meanwhile');
  }

  /** Decides and writes rows together with the job's counts; returns the counts. */
  async function applyBatch(jobId: string, candidates: Candidate[], parseRejections: Rejection[], bytesRead: number): Promise<ImportCounts> {
    const snapshot = candidates.length ? await readSnapshot(candidates) : undefined;
    const decisions = snapshot ? candidates.map((c) => decideRow(c.line, c.row, snapshot)) : [];
    const rejections = [...parseRejections, ...decisions.flatMap((d) => (d.kind === 'reject' ? [{ line: d.line, reason: d.reason }] : []))];
    const count = (kind: Decision['kind']) => decisions.filter((d) => d.kind === kind).length;
    const counts = { rowsRead: candidates.length + parseRejections.length, created: count('create'), updated: count('update'), unchanged: count('unchanged'), rejected: rejections.length };
    await db.transaction(async (trx) => {
      await write(jobId, decisions, trx);
      await queries.recordBatch(jobId, counts, rejections, bytesRead, trx);
    });
    return counts;
  }

  /** A batch, or (when it met a concurrent change) its rows one at a time, each tried twice before it is refused. */
  async function flush(jobId: string, candidates: Candidate[], parseRejections: Rejection[], bytesRead: number): Promise<ImportCounts> {
    try {
      return await applyBatch(jobId, candidates, parseRejections, bytesRead);
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    const total = await applyBatch(jobId, [], parseRejections, bytesRead);
    for (const candidate of candidates) {
      let counts: ImportCounts | undefined;
      for (let attempt = 0; !counts && attempt < 2; attempt += 1) {
        try {
          counts = await applyBatch(jobId, [candidate], [], bytesRead);
        } catch (error) {
          if (!isConflict(error)) throw error;
        }
      }
      counts ??= await applyBatch(jobId, [], [{ line: candidate.line, reason: 'it conflicts with changes made while importing: run the import again' }], bytesRead);
      for (const key of Object.keys(total) as (keyof ImportCounts)[]) total[key] += counts[key];
    }
    return total;
  }

  /** Streams the file through batches; the job's record is written as it goes. */
  async function importInto(jobId: string, run: ImportRun): Promise<void> {
    const fields = await deps.profileFields();
    const context = { fields, firebase: deps.firebase };
    const totals = { ...zero(), bytesRead: 0 };
    let candidates: Candidate[] = [];
    let parseRejections: Rejection[] = [];
    let keys = new Set<string>();
    const flushNow = async () => {
      const counts = await flush(jobId, candidates, parseRejections, totals.bytesRead);
      for (const key of Object.keys(counts) as (keyof ImportCounts)[]) totals[key] += counts[key];
      candidates = [];
      parseRejections = [];
      keys = new Set();
      run.onProgress?.({ ...totals });
      if (run.signal?.aborted) throw new ImportStopped(run.signal.reason);
    };
    for await (const source of readImportFile(run.input, run.format)) {
      totals.bytesRead = source.bytesRead;
      const read = source.problem === undefined ? readImportRow(source.value, context) : { problem: source.problem };
      if ('problem' in read) parseRejections.push({ line: source.line, reason: read.problem });
      else {
        const rowKeyList = rowKeys(read.row);
        // Two rows about the same customer are decided one after the other, as a file read in order says.
        if (rowKeyList.some((k) => keys.has(k))) await flushNow();
        candidates.push({ line: source.line, row: read.row });
        for (const k of rowKeyList) keys.add(k);
      }
      if (candidates.length >= batchSize || parseRejections.length >= batchSize) await flushNow();
    }
    await flushNow();
  }

  async function run(jobId: string, input: ImportRun): Promise<ImportJob> {
    try {
      await importInto(jobId, input);
      await queries.finishJob(jobId, { status: 'finished' });
    } catch (error) {
      const message = error instanceof ImportFileError || error instanceof ImportStopped ? error.message
        : `the import stopped on an error (${(error as Error).message.split('\n')[0]}); rows before it were imported: run it again`;
      if (!(error instanceof ImportFileError || error instanceof ImportStopped)) deps.log.error({ err: error, jobId }, 'customer import failed');
      input.input.destroy();
      await queries.finishJob(jobId, { status: 'failed', error: message }).catch((err: unknown) => deps.log.error({ err, jobId }, 'recording the import failure failed'));
    }
    const job = (await queries.findJob(jobId))!;
    await deps.emit({ type: 'accounts.imported', data: { job: jobId, actor: input.actor, status: job.status, created: job.created, updated: job.updated, unchanged: job.unchanged, rejected: job.rejected } });
    return job;
  }

  const background = new Map<string, { controller: AbortController; done: Promise<unknown> }>();

  return {
    /** Imports a file to its end (the `foyer` command); the job records it as it goes. */
    async runImport(input: ImportRun): Promise<ImportJob> {
      const jobId = await queries.createJob({ format: input.format, actor: input.actor, bytesTotal: input.bytesTotal ?? null });
      return run(jobId, input);
    },
    /** Starts an import in the background (the admin API) and answers with its job at once; `cleanup` runs after. */
    async startImport(input: Omit<ImportRun, 'signal'> & { cleanup?: () => Promise<void> }): Promise<ImportJob> {
      const jobId = await queries.createJob({ format: input.format, actor: input.actor, bytesTotal: input.bytesTotal ?? null });
      const controller = new AbortController();
      const done = run(jobId, { ...input, signal: controller.signal })
        .catch((err: unknown) => deps.log.error({ err, jobId }, 'customer import failed'))
        .finally(async () => {
          background.delete(jobId);
          await input.cleanup?.().catch(() => undefined);
        });
      background.set(jobId, { controller, done });
      return (await queries.findJob(jobId))!;
    },
    findJob: (jobId: string) => queries.findJob(jobId),
    listJobs: (page: Parameters<typeof queries.listJobs>[0]) => queries.listJobs(page),
    listRejections: (jobId: string, page: Parameters<typeof queries.listRejections>[1]) => queries.listRejections(jobId, page),
    /** Stops background imports after their current batch (shutdown); each is recorded as stopped. */
    async stop(): Promise<void> {
      for (const job of background.values()) job.controller.abort('the server shut down');
      await Promise.all([...background.values()].map((job) => job.done));
    },
  };
}

export class ImportStopped extends Error {
  constructor(reason: unknown) {
    super(`stopped (${String(reason)}); the rows before were imported: run the import again to finish (a re-run changes nothing already imported)`);
  }
}

export type CustomerImport = ReturnType<typeof createCustomerImport>;
