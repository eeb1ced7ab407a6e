// Owns the erasure lifecycle: a request disables sign-in and ends sessions and grants at once; within the
// grace period the customer may cancel (the previous status comes back); after it, the sweeper purges.
import { AppError } from '../errors/app-error.ts';
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import { purgeAccount, type FlowEraser } from './purge.ts';
import type { PrivacyQueries, PrivacyState } from './queries.ts';
import type { SchemaQueries } from './schema.ts';

/** The protocol side (implemented in src/oidc/sessions.ts): sessions and grants end the moment erasure is asked. */
export interface SessionPort {
  endSessions(accountId: string): Promise<number>;
  revokeGrants(accountId: string): Promise<void>;
}

export type ErasureStatus =
  | { state: 'none' }
  | { state: 'pending'; requestedAt: Date; eraseAfter: Date; cancellable: boolean }
  | { state: 'erased'; erasedAt: Date };

export interface ErasureDeps {
  db: Db;
  queries: PrivacyQueries;
  schema: SchemaQueries;
  events: EventOutbox;
  flows: FlowEraser;
  protocol: SessionPort;
  graceDays: number;
  /** Tells the customer the date and how to cancel (src/privacy/erasure-notice.ts); after the commit. */
  notice?: { notifyRequested(accountId: string, eraseAfter: Date, by: 'customer' | 'operator'): Promise<void> };
}

const DAY_MS = 24 * 3600 * 1000;
/** Channels through which customers ask for their own erasure (the account pages, the Account API); others are an operator's. */
const CUSTOMER_CHANNELS: ReadonlySet<string> = new Set(['portal', 'api']);

export function describeErasure(state: PrivacyState | undefined, now = new Date()): ErasureStatus {
  if (state?.erasedAt || state?.status === 'erased') return { state: 'erased', erasedAt: state.erasedAt ?? state.eraseAfter ?? now };
  if (!state?.erasureRequestedAt || !state.eraseAfter) return { state: 'none' };
  return { state: 'pending', requestedAt: state.erasureRequestedAt, eraseAfter: state.eraseAfter, cancellable: state.eraseAfter.getTime() > now.getTime() };
}

export function createErasure(deps: ErasureDeps) {
  const { db, queries, events } = deps;
  const status = async (accountId: string) => describeErasure(await queries.findPrivacyState(accountId));

  return {
    erasureStatus: status,

    /** Marks the account for erasure (idempotent), refuses sign-in from now on, ends its sessions and grants. */
    async requestErasure(accountId: string, options: { channel: string; graceDays?: number }): Promise<ErasureStatus> {
      const graceDays = options.graceDays ?? deps.graceDays;
      const eraseAfter = new Date(Date.now() + graceDays * DAY_MS);
      const requested = await db.transaction(async (trx) => {
        const state = await queries.findPrivacyState(accountId, trx, true);
        if (!state) throw new AppError('privacy.unknown_account', 'There is no such account.', 404);
        if (describeErasure(state).state !== 'none') return false;
        await queries.markErasureRequested(accountId, state.status, eraseAfter, trx);
        await events.emit({ type: 'account.erasure_requested', accountId, data: { channel: options.channel, erase_after: eraseAfter.toISOString() } }, trx);
        return true;
      });
      // After the commit, so no new session can start between the two (sign-in is already refused).
      await deps.protocol.endSessions(accountId);
      await deps.protocol.revokeGrants(accountId);
      if (requested && graceDays > 0) await deps.notice?.notifyRequested(accountId, eraseAfter, CUSTOMER_CHANNELS.has(options.channel) ? 'customer' : 'operator');
      return status(accountId);
    },

    /** Within the grace period, gives the account back its previous status. */
    async cancelErasure(accountId: string, options: { channel: string }): Promise<ErasureStatus> {
      await db.transaction(async (trx) => {
        const current = describeErasure(await queries.findPrivacyState(accountId, trx, true));
        if (current.state === 'none') return;
        if (current.state === 'erased' || !current.cancellable) {
          throw new AppError('privacy.erasure_not_cancellable', 'The grace period is over: this account is being erased and can no longer be restored.', 409);
        }
        const state = (await queries.findPrivacyState(accountId, trx))!;
        await queries.clearErasureRequest(accountId, state.statusBeforeErasure ?? 'active', trx);
        await events.emit({ type: 'account.erasure_cancelled', accountId, data: { channel: options.channel } }, trx);
      });
      return status(accountId);
    },

    /** Purges one account now (its erasure must have been requested): for `--now` and tests. */
    purgeAccount: (accountId: string) => purgeAccount(deps, accountId),

    /** What the server's sweeper calls: purges every account whose grace period is over, one transaction each. */
    async purgeDueErasures(now = new Date(), limit = 20): Promise<string[]> {
      const purged: string[] = [];
      for (const accountId of await queries.findDueErasures(now, limit)) {
        if (await purgeAccount(deps, accountId)) purged.push(accountId);
      }
      return purged;
    },
  };
}

export type Erasure = ReturnType<typeof createErasure>;
