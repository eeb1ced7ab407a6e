// Owns restriction of processing: an account flag (separate from status, so a restricted account still
// signs in), the claim filter that releases only essential claims, and marking the account's events.
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { PrivacyQueries } from './queries.ts';

/** Legal bases that processing may rest on even while restricted (GDPR art. 18 leaves these). */
export const ESSENTIAL_LEGAL_BASES: ReadonlySet<string> = new Set(['contract', 'legal_obligation']);

/** Which claims are essential: those of purposes resting on an essential legal basis. `sub` always is. */
export type EssentialClaims = () => Promise<ReadonlySet<string>>;

export const NO_ESSENTIAL_CLAIMS: EssentialClaims = async () => new Set();

/** For a purposes registry: the claims its contract or legal-obligation purposes cover. */
export function essentialClaimsOf(purposes: { legalBasis: string; claims: readonly string[] }[]): Set<string> {
  return new Set(purposes.filter((p) => ESSENTIAL_LEGAL_BASES.has(p.legalBasis)).flatMap((p) => p.claims));
}

/** The claims a restricted account releases: `sub` and the essential ones, nothing else. */
export function restrictClaims(claims: { sub: string; [claim: string]: unknown }, essential: ReadonlySet<string>): { sub: string; [claim: string]: unknown } {
  return { ...Object.fromEntries(Object.entries(claims).filter(([name]) => essential.has(name))), sub: claims.sub };
}

/** An outbox whose events are marked `restricted` whenever their account restricted processing. */
export function withRestrictionMark(outbox: EventOutbox, queries: Pick<PrivacyQueries, 'isProcessingRestricted'>): EventOutbox {
  return {
    ...outbox,
    async emit(event, trx) {
      const restricted = event.restricted || (event.accountId ? await queries.isProcessingRestricted(event.accountId, trx) : false);
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
