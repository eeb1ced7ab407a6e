// Owns withdrawing a customer's consent to a client ("Remove access"): the withdraw record in the
// append-only ledger, the per-client consent removed (the next sign-in to the app asks again), and the
// `consent.withdrawn` event, in one transaction.
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { ConsentContext, ConsentQueries } from './queries.ts';

export function createConsentWithdrawal(deps: { db: Db; queries: ConsentQueries; events: EventOutbox }) {
  return {
    listClientConsents: (accountId: string) => deps.queries.listClientConsents(accountId),

    /** Withdraws everything granted to `clientId`; returns the ledger record's id. */
    async withdrawClientConsent(accountId: string, clientId: string, scopes: string[], context: ConsentContext): Promise<string> {
      return deps.db.transaction(async (trx) => {
        const onRecord = await deps.queries.findClientConsent(accountId, clientId, trx);
        const withdrawn = [...new Set([...(onRecord?.grantedScopes ?? []), ...scopes])];
        await deps.queries.deleteClientConsent(accountId, clientId, trx);
        const recordId = await deps.queries.appendConsentRecord({
          accountId, subjectKind: 'client_scopes', subjectRef: clientId, action: 'withdraw',
          details: { withdrawn, resources: onRecord?.resourceScopes ?? {} }, legalBasis: 'consent',
        }, { ...context, clientId }, trx);
        await deps.events.emit({ type: 'consent.withdrawn', accountId, clientId, data: { subject: 'client_scopes', scopes: withdrawn, record: recordId } }, trx);
        return recordId;
      });
    },
  };
}

export type ConsentWithdrawal = ReturnType<typeof createConsentWithdrawal>;
