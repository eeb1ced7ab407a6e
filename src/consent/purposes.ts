// Owns the customer's say over each purpose: grant or withdraw consent for consent-based purposes, object
// (and take an objection back) for those on legitimate or public interest, each a ledger record and an
// event; and `isProcessingAllowed`, which other modules call before processing for a purpose — the release
// rule (release-rule.ts) applied to the ledger and the account's restriction.
import type { Db } from '../db/create-db.ts';
import { AppError } from '../errors/app-error.ts';
import type { EventOutbox } from '../events/outbox.ts';
import { decideRelease, purposeStateOf, type PurposeState, type ReleaseReason } from './release-rule.ts';
import type { ConsentContext, ConsentQueries } from './queries.ts';
import type { ConsentRegistry, Purpose, PurposeWithLatestAction } from './registry/registry.ts';

export type PurposeChoice = 'grant' | 'withdraw' | 'object' | 'withdraw_objection';

export interface ProcessingDecision {
  allowed: boolean;
  reason: ReleaseReason;
}

export interface PurposeStanding {
  purpose: Purpose;
  /** The customer's state on it (restriction included): what the release rule decides on. */
  state: PurposeState;
  /** The newest choice on record, restriction aside: which buttons the account pages offer. */
  choice: 'given' | 'withdrawn' | 'objected' | 'never_asked';
  decision: ProcessingDecision;
  changedAt: Date | undefined;
}

type LatestAction = { action: 'grant' | 'withdraw'; at: Date } | undefined;

function standingOf(purpose: Purpose, latest: LatestAction, restricted: boolean): PurposeStanding {
  const state = purposeStateOf(purpose.legalBasis, latest, restricted);
  const { released, reason } = decideRelease({ basis: purpose.legalBasis, state });
  const choice = purposeStateOf(purpose.legalBasis, latest, false) as PurposeStanding['choice'];
  return { purpose, state, choice, decision: { allowed: released, reason }, changedAt: latest?.at };
}

/** Standings from purposes read with the account's newest action on each (e.g. in the statement that read the account). */
export const standingsOf = (purposes: readonly PurposeWithLatestAction[], restricted: boolean): PurposeStanding[] =>
  purposes.map(({ purpose, latest }) => standingOf(purpose, latest, restricted));

const ACTIONS: Record<PurposeChoice, { action: 'grant' | 'withdraw'; event: string; needs: 'consent' | 'objectable' }> = {
  grant: { action: 'grant', event: 'consent.granted', needs: 'consent' },
  withdraw: { action: 'withdraw', event: 'consent.withdrawn', needs: 'consent' },
  object: { action: 'withdraw', event: 'consent.objected', needs: 'objectable' },
  withdraw_objection: { action: 'grant', event: 'consent.objection_withdrawn', needs: 'objectable' },
};

export interface PurposeConsentDeps {
  db: Db;
  queries: ConsentQueries;
  registry: ConsentRegistry;
  events: EventOutbox;
  /** Whether the account restricted processing (src/privacy); restriction stops all but a few bases. */
  isRestricted(accountId: string): Promise<boolean>;
}

export function createPurposeConsents(deps: PurposeConsentDeps) {
  const { db, queries, registry, events } = deps;
  return {
    /** Whether the account's data may be processed for the purpose now (an unknown purpose: never). */
    async isProcessingAllowed(accountId: string, purposeId: string): Promise<ProcessingDecision> {
      const purpose = await registry.findPurpose(purposeId);
      if (!purpose) return { allowed: false, reason: 'unknown_purpose' };
      const [latest, restricted] = await Promise.all([queries.findLatestActions(accountId, 'purpose'), deps.isRestricted(accountId)]);
      return standingOf(purpose, latest.get(purposeId), restricted).decision;
    },
    /**
     * Every purpose with what the account decided about it and whether its data may be used now. Read fresh: no
     * cache. `processingRestricted`, when the caller read it with the account in this request, saves reading it again.
     */
    async purposeStates(accountId: string, processingRestricted?: boolean): Promise<PurposeStanding[]> {
      const [purposes, restricted] = await Promise.all([
        registry.listPurposesWithLatestAction(accountId), processingRestricted ?? deps.isRestricted(accountId),
      ]);
      return standingsOf(purposes, restricted);
    },
    /** Records the customer's choice; a choice the purpose's legal basis does not allow is a 400. Returns the receipt id. */
    async choose(accountId: string, purposeId: string, choice: PurposeChoice, context: ConsentContext): Promise<string> {
      const purpose = await registry.findPurpose(purposeId);
      if (!purpose) throw new AppError('consent.unknown_purpose', 'There is no such purpose.', 404);
      const spec = ACTIONS[choice];
      if (spec.needs === 'consent' && !purpose.needsConsent) {
        throw new AppError('consent.not_consent_based', 'This purpose does not rest on your consent, so there is nothing to grant or withdraw. Where the law allows, you can object to it instead.', 400);
      }
      if (spec.needs === 'objectable' && !purpose.objectable) {
        throw new AppError('consent.not_objectable', 'You cannot object to this purpose: it is needed for your account or required by law.', 400);
      }
      return db.transaction(async (trx) => {
        const receiptId = await queries.appendConsentRecord({
          accountId, subjectKind: 'purpose', subjectRef: purpose.id, action: spec.action,
          details: { purpose: purpose.id, choice, dataCategories: purpose.dataCategories }, legalBasis: purpose.legalBasis,
        }, context, trx);
        await events.emit({ type: spec.event, accountId, clientId: context.clientId, data: { receiptId, kind: 'purpose', purpose: purpose.id, legalBasis: purpose.legalBasis } }, trx);
        return receiptId;
      });
    },
  };
}

export type PurposeConsents = ReturnType<typeof createPurposeConsents>;
