// Owns the customer's say over each purpose: grant or withdraw consent for consent-based purposes, object
// (and take an objection back) for those on legitimate or public interest, each a ledger record and an
// event; and `isProcessingAllowed`, which other modules call before processing for a purpose.
import type { Db } from '../db/create-db.ts';
import { AppError } from '../errors/app-error.ts';
import type { EventOutbox } from '../events/outbox.ts';
import { decideProcessing, type ProcessingDecision } from './processing.ts';
import type { ConsentContext, ConsentQueries } from './queries.ts';
import type { ConsentRegistry, Purpose } from './registry/registry.ts';

export type PurposeChoice = 'grant' | 'withdraw' | 'object' | 'withdraw_objection';

export interface PurposeState {
  purpose: Purpose;
  decision: ProcessingDecision;
  changedAt: Date | undefined;
}

const ACTIONS: Record<PurposeChoice, { action: 'grant' | 'withdraw'; event: string; needs: 'consent' | 'objectable' }> = {
  grant: { action: 'grant', event: 'consent.granted', needs: 'consent' },
  withdraw: { action: 'withdraw', event: 'consent.withdrawn', needs: 'consent' },
  object: { action: 'withdraw', event: 'consent.objected', needs: 'objectable' },
  withdraw_objection: { action: 'grant', event: 'consent.objection_withdrawn', needs: 'objectable' },
};

export function createPurposeConsents(deps: { db: Db; queries: ConsentQueries; registry: ConsentRegistry; events: EventOutbox }) {
  const { db, queries, registry, events } = deps;
  return {
    /** Whether the account's data may be processed for the purpose now (an unknown purpose: never). */
    async isProcessingAllowed(accountId: string, purposeId: string): Promise<ProcessingDecision> {
      const purpose = await registry.findPurpose(purposeId);
      if (!purpose) return decideProcessing(undefined, undefined);
      const latest = (await queries.findLatestActions(accountId, 'purpose')).get(purposeId);
      return decideProcessing(purpose, latest);
    },
    /** Every purpose with what the account decided about it. */
    async purposeStates(accountId: string): Promise<PurposeState[]> {
      const [purposes, latest] = await Promise.all([registry.listPurposes(), queries.findLatestActions(accountId, 'purpose')]);
      return purposes.map((purpose) => ({ purpose, decision: decideProcessing(purpose, latest.get(purpose.id)), changedAt: latest.get(purpose.id)?.at }));
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
