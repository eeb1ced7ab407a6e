// Owns restriction of processing: an account flag (separate from status, so a restricted account still
// signs in) and marking the account's events. What it stops releasing is the release rule's (src/consent).
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { PrivacyQueries } from './queries.ts';

/**
 * An outbox whose events are marked `restricted` whenever their account restricted processing. An event whose
 * emitter read the flag in its own statement (`restricted` given, true or false) is not read again.
 */
export function withRestrictionMark(outbox: EventOutbox, queries: Pick<PrivacyQueries, 'isProcessingRestricted'>): EventOutbox {
  return {
    ...outbox,
    async emit(event, trx) {
      const restricted = event.restricted ?? (event.accountId ? await queries.isProcessingRestricted(event.accountId, trx) : false);
      return outbox.emit({ ...event, restricted }, trx);
    },
  };
}

export function createRestriction(deps: { db: Db; queries: PrivacyQueries; events: EventOutbox }) {
  const { db, queries, events } = deps;
  const set = (accountId: string, restricted: boolean, channel: string) => db.transaction(async (trx) => {
    const state = await queries.findPrivacyState(accountId, trx, true);
    if (!state || state.status === 'erased') return false;
    if (Boolean(state.restrictedAt) === restricted) return true;
    await queries.setProcessingRestricted(accountId, restricted, trx);
    await events.emit({ type: restricted ? 'account.processing_restricted' : 'account.restriction_lifted', accountId, data: { channel } }, trx);
    return true;
  });
  return {
    isRestricted: (accountId: string) => queries.isProcessingRestricted(accountId),
    restrictProcessing: (accountId: string, options: { channel: string }) => set(accountId, true, options.channel),
    liftRestriction: (accountId: string, options: { channel: string }) => set(accountId, false, options.channel),
  };
}

export type Restriction = ReturnType<typeof createRestriction>;
