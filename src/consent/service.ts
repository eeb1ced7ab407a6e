// Owns consent decisions: which required documents an account still has to accept (globally required and
// those its client requires), recording what a customer granted a client, and reading the ledger.
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { ClientConsent, ConsentContext, ConsentQueries, ConsentRecord, DocumentVersion } from './queries.ts';

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];

export interface ConsentServiceDeps {
  db: Db;
  queries: ConsentQueries;
  events: EventOutbox;
  /** The documents a client requires (its `foyer_documents` metadata); implemented by the protocol side. */
  clientDocuments(clientId: string): Promise<string[]>;
}

export function createConsentService(deps: ConsentServiceDeps) {
  const { db, queries, events } = deps;
  const documentsOf = async (clientId: string | undefined) => (clientId ? deps.clientDocuments(clientId) : []);
  return {
    async pendingDocuments(accountId: string, clientId?: string): Promise<DocumentVersion[]> {
      return queries.findPendingDocumentVersions(accountId, await documentsOf(clientId));
    },
    async requiredDocuments(clientId?: string): Promise<DocumentVersion[]> {
      return queries.findRequiredDocumentVersions(await documentsOf(clientId));
    },
    /** Whether the account accepted an earlier version of any of `documents` (any document when not given): "changed" wording. */
    async hasAcceptedAnyDocument(accountId: string, documents?: DocumentVersion[]): Promise<boolean> {
      const refs = [...(await queries.findAcceptedDocumentRefs(accountId))];
      return documents ? refs.some((ref) => documents.some((d) => ref.startsWith(`${d.documentId}@`))) : refs.length > 0;
    },
    async acceptDocuments(accountId: string, documents: DocumentVersion[], context: ConsentContext, trx?: Db): Promise<void> {
      const record = async (t: Db) => {
        for (const doc of documents) {
          const receiptId = await queries.appendConsentRecord({
            accountId,
            subjectKind: 'document',
            subjectRef: `${doc.documentId}@${doc.version}`,
            action: 'grant',
            details: { document: doc.documentId, version: doc.version, title: doc.title },
            legalBasis: 'contract',
          }, context, t);
          await events.emit({ type: 'consent.granted', accountId, clientId: context.clientId, data: { receiptId, kind: 'document', document: doc.documentId, version: doc.version } }, t);
        }
      };
      if (trx) await record(trx);
      else await db.transaction(record);
    },
    findClientConsent: (accountId: string, clientId: string) => queries.findClientConsent(accountId, clientId),
    /** The consent on record for the client and the documents pending for it, in one read (an authorization needs both). */
    async clientConsentAndPendingDocuments(accountId: string, clientId: string): Promise<{ clientConsent: ClientConsent | undefined; pending: DocumentVersion[] }> {
      return queries.findClientConsentAndPendingDocuments(accountId, clientId, await documentsOf(clientId));
    },
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
        const receiptId = await queries.appendConsentRecord({
          accountId,
          subjectKind: 'client_scopes',
          subjectRef: clientId,
          action: 'grant',
          details: { granted: choice.grantedScopes, rejected: choice.rejectedScopes, resources: choice.resourceScopes },
          legalBasis: 'consent',
        }, { ...context, clientId }, trx);
        await events.emit({ type: 'consent.granted', accountId, clientId, data: { receiptId, kind: 'client_scopes', scopes: choice.grantedScopes } }, trx);
        return merged;
      });
    },
    /** The customer's own ledger, newest first. */
    history: (accountId: string): Promise<ConsentRecord[]> => queries.listConsentRecordsOfAccount(accountId),
    /** One of the customer's own records; undefined for an unknown id or another account's. */
    findRecord: (accountId: string, receiptId: string): Promise<ConsentRecord | undefined> => queries.findConsentRecordOfAccount(accountId, receiptId),
    /** For erasure (privacy): blanks the records' addresses, keeps what happened. */
    eraseRecordsOf: (accountId: string, trx?: Db): Promise<number> => queries.eraseConsentRecordsOfAccount(accountId, trx),
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
