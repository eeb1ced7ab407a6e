// Owns the flows and one_time_codes tables: a sign-in journey's persisted state and its mailed codes.
import type { Db } from '../db/create-db.ts';
import { randomToken } from '../security/tokens.ts';

export type FlowKind = 'login' | 'registration' | 'recovery' | 'email_sign_in' | 'passkey_offer' | 'mfa' | 'federation'
  | 'account_totp' | 'mfa_enrol_proof' | 'account_email_change' | 'account_sign_in_link' | 'erasure_cancel' | 'erasure_cancel_link' | 'lite_capture';

export interface FlowRow {
  id: string;
  kind: FlowKind;
  state: string;
  interaction_uid: string | null;
  account_id: string | null;
  context: unknown;
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

export function createFlowQueries(db: Db) {
  return {
    async insertFlow(flow: { kind: FlowKind; state: string; interactionUid: string | null; accountId: string | null; context: object; ttlSeconds: number }, trx: Db = db): Promise<FlowRow> {
      const rows = await trx('flows').insert({
        id: `flow_${randomToken(18)}`,
        kind: flow.kind,
        state: flow.state,
        interaction_uid: flow.interactionUid,
        account_id: flow.accountId,
        context: JSON.stringify(flow.context),
        expires_at: new Date(Date.now() + flow.ttlSeconds * 1000),
      }).returning('*') as FlowRow[];
      return rows[0]!;
    },
    /** The newest live flow of a kind for an interaction. */
    async findFlowForInteraction(interactionUid: string, kind: FlowKind, trx: Db = db): Promise<FlowRow | undefined> {
      return trx<FlowRow>('flows').where({ interaction_uid: interactionUid, kind }).andWhere('expires_at', '>', trx.fn.now())
        .orderBy('created_at', 'desc').first();
    },
    /** A live flow of a kind by id (flows found by a token the customer holds). */
    async findFlowById(id: string, kind: FlowKind, trx: Db = db): Promise<FlowRow | undefined> {
      return trx<FlowRow>('flows').where({ id, kind }).andWhere('expires_at', '>', trx.fn.now()).first();
    },
    /** A live flow of a kind by id, only when it belongs to the account (flows started outside OIDC). */
    async findAccountFlow(id: string, kind: FlowKind, accountId: string, trx: Db = db): Promise<FlowRow | undefined> {
      return trx<FlowRow>('flows').where({ id, kind, account_id: accountId }).andWhere('expires_at', '>', trx.fn.now()).first();
    },
    /** Optimistic update: fails (returns false) if someone else changed the flow since it was read. */
    async updateFlow(id: string, version: number, changes: { state?: string; accountId?: string | null; context?: object }, trx: Db = db): Promise<boolean> {
      const updated = await trx('flows').where({ id, version }).update({
        ...(changes.state ? { state: changes.state } : {}),
        ...(changes.accountId !== undefined ? { account_id: changes.accountId } : {}),
        ...(changes.context ? { context: JSON.stringify(changes.context) } : {}),
        version: version + 1,
        updated_at: trx.fn.now(),
      });
      return updated === 1;
    },
    async deleteFlow(id: string, trx: Db = db): Promise<void> {
      await trx('one_time_codes').where({ flow_id: id }).delete();
      await trx('flows').where({ id }).delete();
    },
    async insertCode(code: { flowId: string; purpose: string; codeHash: string; ttlSeconds: number }, trx: Db = db): Promise<void> {
      // A new code replaces any earlier one for the same purpose.
      await trx('one_time_codes').where({ flow_id: code.flowId, purpose: code.purpose }).whereNull('consumed_at').update({ consumed_at: trx.fn.now() });
      await trx('one_time_codes').insert({
        id: `otc_${randomToken(12)}`,
        flow_id: code.flowId,
        purpose: code.purpose,
        code_hash: code.codeHash,
        expires_at: new Date(Date.now() + code.ttlSeconds * 1000),
      });
    },
    async findLiveCode(flowId: string, purpose: string, trx: Db = db): Promise<CodeRow | undefined> {
      return trx('one_time_codes').where({ flow_id: flowId, purpose }).whereNull('consumed_at')
        .orderBy('created_at', 'desc').first() as Promise<CodeRow | undefined>;
    },
    /**
     * Counts a guess BEFORE it is compared, in the statement that checks the limit, so parallel guesses
     * cannot all pass one check: the attempts so far, or undefined when the code is spent, expired or used up.
     */
    async reserveCodeAttempt(id: string, maxAttempts: number, trx: Db = db): Promise<number | undefined> {
      const rows = await trx('one_time_codes').where({ id }).whereNull('consumed_at').andWhere('expires_at', '>', trx.fn.now())
        .andWhere('attempts', '<', maxAttempts).increment('attempts', 1).returning('attempts') as { attempts: number }[];
      return rows[0] ? Number(rows[0].attempts) : undefined;
    },
    /** Consumes a code once: false if a concurrent request already did. */
    async consumeCode(id: string, trx: Db = db): Promise<boolean> {
      return (await trx('one_time_codes').where({ id }).whereNull('consumed_at').update({ consumed_at: trx.fn.now() })) === 1;
    },
    async sweepExpiredFlows(limit: number): Promise<number> {
      const ids = (q: Db) => q('flows').select('id').where('expires_at', '<', q.fn.now()).limit(limit);
      await db('one_time_codes').whereIn('flow_id', ids(db)).delete();
      return db('flows').whereIn('id', ids(db)).delete();
    },
  };
}

export type FlowQueries = ReturnType<typeof createFlowQueries>;
