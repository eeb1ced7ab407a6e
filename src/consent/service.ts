// Owns consent decisions: which required documents an account still has to accept, and recording what a
// customer granted a client (merged with what they granted before), each in the ledger.
import type { Db } from '../db/create-db.ts';
import type { ClientConsent, ConsentContext, ConsentQueries, DocumentVersion } from './queries.ts';

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

export function createConsentService(db: Db, queries: ConsentQueries) {
  return {
    pendingDocuments: (accountId: string): Promise<DocumentVersion[]> => queries.findPendingDocumentVersions(accountId),
    requiredDocuments: () => queries.findRequiredDocumentVersions(),
    async hasAcceptedAnyDocument(accountId: string): Promise<boolean> {
      return (await queries.findAcceptedDocumentRefs(accountId)).size > 0;
    },
    async acceptDocuments(accountId: string, documents: DocumentVersion[], context: ConsentContext, trx: Db = db): Promise<void> {
      for (const doc of documents) {
        await queries.appendConsentRecord({
          accountId,
          subjectKind: 'document',
          subjectRef: `${doc.documentId}@${doc.version}`,
          action: 'grant',
          details: { document: doc.documentId, version: doc.version, title: doc.title },
          legalBasis: 'contract',
        }, context, trx);
      }
    },
    findClientConsent: (accountId: string, clientId: string) => queries.findClientConsent(accountId, clientId),
    /** Records what the customer chose on a consent page; earlier grants to the same client remain. */
    async grantClientScopes(accountId: string, clientId: string, choice: ClientConsent, context: ConsentContext): Promise<ClientConsent> {
      return db.transaction(async (trx) => {
        const previous = await queries.findClientConsent(accountId, clientId, trx);
        const granted = union(previous?.grantedScopes ?? [], choice.grantedScopes);
        const merged: ClientConsent = {
          grantedScopes: granted,
          rejectedScopes: union(previous?.rejectedScopes ?? [], choice.rejectedScopes).filter((s) => !granted.includes(s)),
          resourceScopes: { ...previous?.resourceScopes },
        };
        for (const [resource, scopes] of Object.entries(choice.resourceScopes)) {
          merged.resourceScopes[resource] = union(merged.resourceScopes[resource] ?? [], scopes);
        }
        await queries.upsertClientConsent(accountId, clientId, merged, trx);
        await queries.appendConsentRecord({
          accountId,
          subjectKind: 'client_scopes',
          subjectRef: clientId,
          action: 'grant',
          details: { granted: choice.grantedScopes, rejected: choice.rejectedScopes, resources: choice.resourceScopes },
          legalBasis: 'consent',
        }, { ...context, clientId }, trx);
        return merged;
      });
    },
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
