// Owns the consent tables: documents and their versions, the append-only consent ledger, and the
// current per-client scope consent that oidc-provider's grants are built from.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/create-db.ts';

export interface DocumentVersion {
  documentId: string;
  title: string;
  version: string;
  url: string | null;
}

export interface ClientConsent {
  grantedScopes: string[];
  rejectedScopes: string[];
  resourceScopes: Record<string, string[]>;
}

export interface ConsentContext {
  channel: string;
  clientId?: string | undefined;
  ip?: string | undefined;
}

export function createConsentQueries(db: Db) {
  return {
    /** The newest material version of every required document. */
    async findRequiredDocumentVersions(trx: Db = db): Promise<DocumentVersion[]> {
      const rows = await trx.raw<{ rows: { document_id: string; title: string; version: string; url: string | null }[] }>(
        `SELECT DISTINCT ON (v.document_id) v.document_id, d.title, v.version, v.url
           FROM consent_document_versions v JOIN consent_documents d ON d.id = v.document_id
          WHERE d.required AND v.material AND v.published_at <= now()
          ORDER BY v.document_id, v.published_at DESC`,
      );
      return rows.rows.map((r) => ({ documentId: r.document_id, title: r.title, version: r.version, url: r.url }));
    },
    /** Required document versions the account has not accepted (or withdrew), in one query: it runs on every sign-in. */
    async findPendingDocumentVersions(accountId: string): Promise<DocumentVersion[]> {
      const rows = await db.raw<{ rows: { document_id: string; title: string; version: string; url: string | null }[] }>(
        `SELECT v.document_id, v.title, v.version, v.url
           FROM (SELECT DISTINCT ON (v.document_id) v.document_id, d.title, v.version, v.url
                   FROM consent_document_versions v JOIN consent_documents d ON d.id = v.document_id
                  WHERE d.required AND v.material AND v.published_at <= now()
                  ORDER BY v.document_id, v.published_at DESC) v
          WHERE (SELECT r.action FROM consent_records r
                  WHERE r.account_id = ? AND r.subject_kind = 'document' AND r.subject_ref = v.document_id || '@' || v.version
                  ORDER BY r.created_at DESC LIMIT 1) IS DISTINCT FROM 'grant'`,
        [accountId],
      );
      return rows.rows.map((r) => ({ documentId: r.document_id, title: r.title, version: r.version, url: r.url }));
    },
    /** Document versions (as "doc@version") the account has accepted and not withdrawn. */
    async findAcceptedDocumentRefs(accountId: string, trx: Db = db): Promise<Set<string>> {
      const rows = await trx.raw<{ rows: { subject_ref: string; action: string }[] }>(
        `SELECT DISTINCT ON (subject_ref) subject_ref, action FROM consent_records
          WHERE account_id = ? AND subject_kind = 'document' ORDER BY subject_ref, created_at DESC`,
        [accountId],
      );
      return new Set(rows.rows.filter((r) => r.action === 'grant').map((r) => r.subject_ref));
    },
    async appendConsentRecord(
      record: { accountId: string; subjectKind: 'document' | 'client_scopes' | 'purpose'; subjectRef: string; action: 'grant' | 'withdraw'; details: object; legalBasis: string },
      context: ConsentContext,
      trx: Db = db,
    ): Promise<string> {
      const id = `rcpt_${randomUUID()}`;
      await trx('consent_records').insert({
        id,
        account_id: record.accountId,
        subject_kind: record.subjectKind,
        subject_ref: record.subjectRef,
        action: record.action,
        details: JSON.stringify(record.details),
        legal_basis: record.legalBasis,
        channel: context.channel,
        client_id: context.clientId ?? null,
        ip: context.ip ?? null,
      });
      return id;
    },
    async findClientConsent(accountId: string, clientId: string, trx: Db = db): Promise<ClientConsent | undefined> {
      const row = await trx('client_consents').where({ account_id: accountId, client_id: clientId }).first() as
        { granted_scopes: string[]; rejected_scopes: string[]; resource_scopes: Record<string, string[]> } | undefined;
      return row && { grantedScopes: row.granted_scopes, rejectedScopes: row.rejected_scopes, resourceScopes: row.resource_scopes };
    },
    /** Every client the account consented to, newest change first (the connected apps page). */
    async listClientConsents(accountId: string, trx: Db = db): Promise<(ClientConsent & { clientId: string; createdAt: Date; updatedAt: Date })[]> {
      const rows = await trx('client_consents').where({ account_id: accountId }).orderBy('updated_at', 'desc') as
        { client_id: string; granted_scopes: string[]; rejected_scopes: string[]; resource_scopes: Record<string, string[]>; created_at: Date; updated_at: Date }[];
      return rows.map((r) => ({ clientId: r.client_id, grantedScopes: r.granted_scopes, rejectedScopes: r.rejected_scopes, resourceScopes: r.resource_scopes, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at) }));
    },
    async deleteClientConsent(accountId: string, clientId: string, trx: Db = db): Promise<boolean> {
      return (await trx('client_consents').where({ account_id: accountId, client_id: clientId }).delete()) > 0;
    },
    async upsertClientConsent(accountId: string, clientId: string, consent: ClientConsent, trx: Db = db): Promise<void> {
      const values = {
        granted_scopes: JSON.stringify(consent.grantedScopes),
        rejected_scopes: JSON.stringify(consent.rejectedScopes),
        resource_scopes: JSON.stringify(consent.resourceScopes),
      };
      await trx('client_consents').insert({ account_id: accountId, client_id: clientId, ...values })
        .onConflict(['account_id', 'client_id']).merge({ ...values, updated_at: trx.fn.now() });
    },
  };
}

export type ConsentQueries = ReturnType<typeof createConsentQueries>;
