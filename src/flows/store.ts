// Owns the flows table (and the one-time codes that belong to a flow): the only module that reads or writes
// it. Every row read is checked against its kind (src/flows/kinds/) and treated as absent when it does not fit;
// a flow found by a secret (an upstream's state, a mailed link's token, a browser's proof) is found by a keyed
// hash of that secret in an indexed column, never by scanning JSON.
import { normalizeEmail } from '../accounts/email-address.ts';
import type { Db } from '../db/create-db.ts';
import { keyedHash, randomToken } from '../security/tokens.ts';
import { FLOW_KINDS } from './kinds/index.ts';
import type { AnyFlowKind, ContextOf, Flow, StateOf } from './kinds/kind.ts';

/** The table's name, for the generic privacy code that must leave it to this store. */
export const FLOWS_TABLE = 'flows';
const CODES_TABLE = 'one_time_codes';

interface FlowRow {
  id: string;
  kind: string;
  state: string;
  interaction_uid: string | null;
  account_id: string | null;
  context: unknown;
  lookup_hash: string | null;
  expires_at: Date;
  version: number;
}

export interface CodeRow {
  id: string;
  code_hash: string;
  attempts: number;
  expires_at: Date;
  consumed_at: Date | null;
}

export interface NewFlow<K extends AnyFlowKind> {
  kind: K;
  state: StateOf<K>;
  interactionUid: string | null;
  accountId: string | null;
  context: ContextOf<K>;
  /** Defaults to the kind's lifetime. */
  ttlSeconds?: number;
  /** A secret the flow will be found by (findFlowBySecret); only its keyed hash is stored. */
  secret?: string;
}

export interface FlowChanges<K extends AnyFlowKind> {
  state?: StateOf<K>;
  accountId?: string | null;
  context?: ContextOf<K>;
  /** Binds the flow to a new secret (replacing any earlier one). */
  secret?: string;
}

export interface FlowStoreOptions {
  /** Key of the lookup hash, derived from FOYER_SECRET: a stolen table does not reveal or confirm secrets. */
  lookupKey: Buffer;
}

const kindsByName = new Map(FLOW_KINDS.map((k) => [k.name, k]));

export function createFlowStore(db: Db, options: FlowStoreOptions) {
  const lookupHash = (kind: string, secret: string) => keyedHash(options.lookupKey, `flow-lookup|${kind}|${secret}`);
  const live = (trx: Db) => trx<FlowRow>(FLOWS_TABLE).andWhere('expires_at', '>', trx.fn.now());

  /** The row as a flow of `kind`, or undefined when it is not one (unknown state, context not fitting the schema). */
  function read<K extends AnyFlowKind>(kind: K, row: FlowRow | undefined): Flow<K> | undefined {
    if (!row || row.kind !== kind.name || !kind.states.includes(row.state)) return undefined;
    const context = kind.context.safeParse(row.context);
    if (!context.success) return undefined;
    return {
      id: row.id, kind: row.kind, state: row.state, interaction_uid: row.interaction_uid, account_id: row.account_id,
      context: context.data as ContextOf<K>, expires_at: new Date(row.expires_at), version: row.version,
    };
  }

  async function deleteWithCodes(ids: string[], trx: Db): Promise<void> {
    if (ids.length === 0) return;
    await trx(CODES_TABLE).whereIn('flow_id', ids).delete();
    await trx(FLOWS_TABLE).whereIn('id', ids).delete();
  }

  return {
    async insertFlow<K extends AnyFlowKind>(flow: NewFlow<K>, trx: Db = db): Promise<Flow<K>> {
      const rows = await trx(FLOWS_TABLE).insert({
        id: `flow_${randomToken(18)}`,
        kind: flow.kind.name,
        state: flow.state,
        interaction_uid: flow.interactionUid,
        account_id: flow.accountId,
        context: JSON.stringify(flow.kind.context.parse(flow.context)),
        lookup_hash: flow.secret === undefined ? null : lookupHash(flow.kind.name, flow.secret),
        expires_at: new Date(Date.now() + (flow.ttlSeconds ?? flow.kind.ttlSeconds) * 1000),
      }).returning('*') as FlowRow[];
      return read(flow.kind, rows[0])!;
    },
    /**
     * Starts a flow for an interaction in one statement unless a live flow of its kind is there already (then
     * undefined: the caller reads and updates that one). Two racing starts may both insert, as a read followed by
     * an insert may; the newest is the one found.
     */
    async insertFlowForInteractionIfNone<K extends AnyFlowKind>(flow: NewFlow<K> & { interactionUid: string }, trx: Db = db): Promise<Flow<K> | undefined> {
      const result = await trx.raw<{ rows: FlowRow[] }>(
        `INSERT INTO ${FLOWS_TABLE} (id, kind, state, interaction_uid, account_id, context, lookup_hash, expires_at)
         SELECT ?, ?, ?, ?, ?, ?::jsonb, ?, ?
          WHERE NOT EXISTS (SELECT 1 FROM ${FLOWS_TABLE} WHERE interaction_uid = ? AND kind = ? AND expires_at > CURRENT_TIMESTAMP)
         RETURNING *`,
        [
          `flow_${randomToken(18)}`, flow.kind.name, flow.state, flow.interactionUid, flow.accountId,
          JSON.stringify(flow.kind.context.parse(flow.context)), flow.secret === undefined ? null : lookupHash(flow.kind.name, flow.secret),
          new Date(Date.now() + (flow.ttlSeconds ?? flow.kind.ttlSeconds) * 1000), flow.interactionUid, flow.kind.name,
        ],
      );
      return read(flow.kind, result.rows[0]);
    },
    /** The newest live flow of a kind for an interaction. */
    async findFlowForInteraction<K extends AnyFlowKind>(interactionUid: string, kind: K, trx: Db = db): Promise<Flow<K> | undefined> {
      return read(kind, await live(trx).where({ interaction_uid: interactionUid, kind: kind.name }).orderBy('created_at', 'desc').first());
    },
    /** A live flow of a kind by id (flows found by a token the customer holds, which names the id). */
    async findFlowById<K extends AnyFlowKind>(id: string, kind: K, trx: Db = db): Promise<Flow<K> | undefined> {
      return read(kind, await live(trx).where({ id, kind: kind.name }).first());
    },
    /** A live flow of a kind by id, only when it belongs to the account (flows started outside OIDC). */
    async findAccountFlow<K extends AnyFlowKind>(id: string, kind: K, accountId: string, trx: Db = db): Promise<Flow<K> | undefined> {
      return read(kind, await live(trx).where({ id, kind: kind.name, account_id: accountId }).first());
    },
    /** A live flow of a kind bound to `secret`, found through the (kind, lookup_hash) index. */
    async findFlowBySecret<K extends AnyFlowKind>(kind: K, secret: string, trx: Db = db): Promise<Flow<K> | undefined> {
      return read(kind, await live(trx).where({ kind: kind.name, lookup_hash: lookupHash(kind.name, secret) }).first());
    },
    /**
     * Takes the live flow bound to `secret` out of the table in one statement (DELETE … RETURNING), so of
     * parallel consumers exactly one gets it. A row that does not fit its kind is deleted and not returned.
     */
    async consumeFlowBySecret<K extends AnyFlowKind>(kind: K, secret: string, trx: Db = db): Promise<Flow<K> | undefined> {
      const rows = await live(trx).where({ kind: kind.name, lookup_hash: lookupHash(kind.name, secret) }).delete().returning('*') as FlowRow[];
      if (rows[0]) await trx(CODES_TABLE).where({ flow_id: rows[0].id }).delete();
      return read(kind, rows[0]);
    },
    /** Compare-and-set: false (nothing changed) when the flow changed since it was read. */
    async updateFlow<K extends AnyFlowKind>(flow: Flow<K>, changes: FlowChanges<K>, trx: Db = db): Promise<boolean> {
      const kind = kindsByName.get(flow.kind);
      if (!kind) throw new Error(`unknown flow kind ${flow.kind}`);
      const updated = await trx(FLOWS_TABLE).where({ id: flow.id, version: flow.version }).update({
        ...(changes.state ? { state: changes.state } : {}),
        ...(changes.accountId !== undefined ? { account_id: changes.accountId } : {}),
        ...(changes.context ? { context: JSON.stringify(kind.context.parse(changes.context)) } : {}),
        ...(changes.secret !== undefined ? { lookup_hash: lookupHash(kind.name, changes.secret) } : {}),
        version: flow.version + 1,
        updated_at: trx.fn.now(),
      });
      return updated === 1;
    },
    /** Ends a flow as read: false when it changed or ended since (a concurrent step won). */
    async finishFlow(flow: Pick<Flow<AnyFlowKind>, 'id' | 'version'>, trx: Db = db): Promise<boolean> {
      const rows = await trx(FLOWS_TABLE).where({ id: flow.id, version: flow.version }).delete().returning('id') as { id: string }[];
      if (rows.length === 0) return false;
      await trx(CODES_TABLE).where({ flow_id: flow.id }).delete();
      return true;
    },
    async deleteFlow(id: string, trx: Db = db): Promise<void> {
      await deleteWithCodes([id], trx);
    },
    /**
     * Erasure: every flow of the account, and every flow naming one of `emails` as its address, compared as an
     * address (NFC, case-insensitive), never as a substring: erasing ann@x.com leaves joann@x.com's flows alone.
     */
    async eraseAccountFlows(accountId: string, emails: string[], trx: Db = db): Promise<number> {
      const wanted = new Set(emails.map(normalizeEmail));
      // Candidates equal once lower-cased, plus any non-ASCII or spaced value (the database may fold those
      // otherwise); the exact comparison is normalizeEmail's.
      const fields = ["context->>'email'", "context->>'suggestedEmail'"];
      const list = [...wanted].map(() => '?').join(', ') || 'NULL';
      const candidates = fields.map((f) => `lower(${f}) IN (${list}) OR octet_length(${f}) <> char_length(${f}) OR ${f} ~ '[[:space:]]'`).join(' OR ');
      const rows = await trx(FLOWS_TABLE).whereRaw('account_id::text = ?', [accountId])
        .orWhereRaw(`(${candidates})`, fields.flatMap(() => [...wanted]))
        .select('id', 'account_id', trx.raw("context->>'email' AS email"), trx.raw("context->>'suggestedEmail' AS suggested")) as
        { id: string; account_id: string | null; email: string | null; suggested: string | null }[];
      const matches = (value: string | null) => value !== null && wanted.has(normalizeEmail(value));
      const ids = rows.filter((r) => r.account_id === accountId || matches(r.email) || matches(r.suggested)).map((r) => r.id);
      await deleteWithCodes(ids, trx);
      return ids.length;
    },
    async sweepExpiredFlows(limit: number): Promise<number> {
      const ids = await db(FLOWS_TABLE).where('expires_at', '<', db.fn.now()).limit(limit).pluck('id') as string[];
      await deleteWithCodes(ids, db);
      return ids.length;
    },

    async insertCode(code: { flowId: string; purpose: string; codeHash: string; ttlSeconds: number }, trx: Db = db): Promise<void> {
      // A new code replaces any earlier one for the same purpose.
      await trx(CODES_TABLE).where({ flow_id: code.flowId, purpose: code.purpose }).whereNull('consumed_at').update({ consumed_at: trx.fn.now() });
      await trx(CODES_TABLE).insert({
        id: `otc_${randomToken(12)}`,
        flow_id: code.flowId,
        purpose: code.purpose,
        code_hash: code.codeHash,
        expires_at: new Date(Date.now() + code.ttlSeconds * 1000),
      });
    },
    async findLiveCode(flowId: string, purpose: string, trx: Db = db): Promise<CodeRow | undefined> {
      return trx(CODES_TABLE).where({ flow_id: flowId, purpose }).whereNull('consumed_at')
        .orderBy('created_at', 'desc').first() as Promise<CodeRow | undefined>;
    },
    /**
     * Counts a guess BEFORE it is compared, in the statement that checks the limit, so parallel guesses
     * cannot all pass one check: the attempts so far, or undefined when the code is spent, expired or used up.
     */
    async reserveCodeAttempt(id: string, maxAttempts: number, trx: Db = db): Promise<number | undefined> {
      const rows = await trx(CODES_TABLE).where({ id }).whereNull('consumed_at').andWhere('expires_at', '>', trx.fn.now())
        .andWhere('attempts', '<', maxAttempts).increment('attempts', 1).returning('attempts') as { attempts: number }[];
      return rows[0] ? Number(rows[0].attempts) : undefined;
    },
    /** Consumes a code once: false if a concurrent request already did. */
    async consumeCode(id: string, trx: Db = db): Promise<boolean> {
      return (await trx(CODES_TABLE).where({ id }).whereNull('consumed_at').update({ consumed_at: trx.fn.now() })) === 1;
    },
  };
}

export type FlowStore = ReturnType<typeof createFlowStore>;
