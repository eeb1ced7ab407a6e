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

export type SubjectKind = 'document' | 'client_scopes' | 'purpose' | 'preference' | 'brand_sharing';
export type LedgerAction = 'grant' | 'withdraw';

/** One entry of the append-only ledger; its id (`rcpt_<uuid>`) is the consent receipt id. */
export interface ConsentRecord {
  id: string;
  accountId: string;
  subjectKind: SubjectKind;
  subjectRef: string;
  action: LedgerAction;
  details: Record<string, unknown>;
  legalBasis: string;
  channel: string;
  clientId: string | null;
  ip: string | null;
  createdAt: Date;
  erasedAt: Date | null;
}

/** A consent_records row as the database gives it (the vault reads rows of every account with it too). */
export interface RecordRow {
  id: string;
  account_id: string;
  subject_kind: SubjectKind;
  subject_ref: string;
  action: LedgerAction;
  details: Record<string, unknown>;
  legal_basis: string;
  channel: string;
  client_id: string | null;
  ip: string | null;
  created_at: Date;
  erased_at: Date | null;
}

export const toRecord = (r: RecordRow): ConsentRecord => ({
  id: r.id, accountId: r.account_id, subjectKind: r.subject_kind, subjectRef: r.subject_ref, action: r.action, details: r.details,
  legalBasis: r.legal_basis, channel: r.channel, clientId: r.client_id, ip: r.ip, createdAt: new Date(r.created_at), erasedAt: r.erased_at && new Date(r.erased_at),
});

export interface ConsentContext {
  channel: string;
  clientId?: string | undefined;
  ip?: string | undefined;
}

interface VersionRow {
  document_id: string;
  title: string;
  version: string;
  url: string | null;
}

const toDocumentVersion = (r: VersionRow): DocumentVersion => ({ documentId: r.document_id, title: r.title, version: r.version, url: r.url });

// Globally required, or named by the client (bound as a JSON array: the same SQL on both engines).
const REQUIRED_DOCUMENT = '(d.required OR d.id IN (SELECT jsonb_array_elements_text(?::jsonb)))';

/**
 * Required documents the account has not accepted since their newest material version (editorial versions
 * after it need no new acceptance), each as its newest version. Parameters: the client's documents (JSON), the account.
 */
const PENDING_DOCUMENTS_SQL = `WITH latest AS (
           SELECT DISTINCT ON (v.document_id) v.document_id, d.title, v.version, v.url
             FROM consent_document_versions v JOIN consent_documents d ON d.id = v.document_id
            WHERE ${REQUIRED_DOCUMENT} AND v.published_at <= now()
            ORDER BY v.document_id, v.published_at DESC),
         material AS (
           SELECT v.document_id, max(v.published_at) AS since FROM consent_document_versions v
            WHERE v.material AND v.published_at <= now() AND v.document_id IN (SELECT document_id FROM latest)
            GROUP BY v.document_id)
         SELECT l.document_id, l.title, l.version, l.url FROM latest l JOIN material m ON m.document_id = l.document_id
          WHERE (SELECT r.action FROM consent_records r
                   JOIN consent_document_versions av ON av.document_id = l.document_id AND r.subject_ref = av.document_id || '@' || av.version
                  WHERE r.account_id = ? AND r.subject_kind = 'document' AND av.published_at >= m.since
                  ORDER BY r.created_at DESC LIMIT 1) IS DISTINCT FROM 'grant'`;

type ClientConsentRow = { granted_scopes: string[]; rejected_scopes: string[]; resource_scopes: Record<string, string[]> };

export function createConsentQueries(db: Db) {
  return {
    /** The newest published version of every document required globally or by `clientDocuments`. */
    async findRequiredDocumentVersions(clientDocuments: string[] = [], trx: Db = db): Promise<DocumentVersion[]> {
      const rows = await trx.raw<{ rows: VersionRow[] }>(
        `SELECT DISTINCT ON (v.document_id) v.document_id, d.title, v.version, v.url
           FROM consent_document_versions v JOIN consent_documents d ON d.id = v.document_id
          WHERE ${REQUIRED_DOCUMENT} AND v.published_at <= now()
          ORDER BY v.document_id, v.published_at DESC`,
        [JSON.stringify(clientDocuments)],
      );
      return rows.rows.map(toDocumentVersion);
    },
    /**
     * Required documents the account has not accepted since their newest material version (editorial
     * versions after it need no new acceptance), each as its newest version; one query, on every sign-in.
     */
    async findPendingDocumentVersions(accountId: string, clientDocuments: string[] = []): Promise<DocumentVersion[]> {
      const rows = await db.raw<{ rows: VersionRow[] }>(`${PENDING_DOCUMENTS_SQL} ORDER BY l.document_id`, [JSON.stringify(clientDocuments), accountId]);
      return rows.rows.map(toDocumentVersion);
    },
    /**
     * What an authorization's grant and terms prompt read, in one statement: the account's consent on record
     * for the client (undefined when none) and the documents pending for it (as findPendingDocumentVersions).
     */
    async findClientConsentAndPendingDocuments(accountId: string, clientId: string, clientDocuments: string[] = []): Promise<{ clientConsent: ClientConsent | undefined; pending: DocumentVersion[] }> {
      const result = await db.raw<{ rows: { pending: VersionRow[] | null; client_consent: ClientConsentRow | null }[] }>(
        `WITH pending AS (${PENDING_DOCUMENTS_SQL})
         SELECT (SELECT json_agg(p ORDER BY p.document_id) FROM pending p) AS pending,
                (SELECT json_build_object('granted_scopes', c.granted_scopes, 'rejected_scopes', c.rejected_scopes, 'resource_scopes', c.resource_scopes)
                   FROM client_consents c WHERE c.account_id = ? AND c.client_id = ?) AS client_consent`,
        [JSON.stringify(clientDocuments), accountId, accountId, clientId],
      );
      const row = result.rows[0];
      const consent = row?.client_consent;
      return {
        clientConsent: consent ? { grantedScopes: consent.granted_scopes, rejectedScopes: consent.rejected_scopes, resourceScopes: consent.resource_scopes } : undefined,
        pending: (row?.pending ?? []).map(toDocumentVersion),
      };
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
      record: { accountId: string; subjectKind: SubjectKind; subjectRef: string; action: LedgerAction; details: object; legalBasis: string },
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
        // The clock, not the transaction's start: records written in one transaction keep their order.
        created_at: trx.raw('clock_timestamp()'),
      });
      return id;
    },
    /** Whether the ledger holds any record (of any account) about this subject: a purpose, or a topic:channel. */
    async hasRecordsOfSubject(subjectKind: SubjectKind, subjectRef: string, trx: Db = db): Promise<boolean> {
      return (await trx('consent_records').where({ subject_kind: subjectKind, subject_ref: subjectRef }).first('id')) !== undefined;
    },
    /** The account's ledger, newest first. */
    async listConsentRecordsOfAccount(accountId: string, limit = 500, trx: Db = db): Promise<ConsentRecord[]> {
      const rows = await trx('consent_records').where({ account_id: accountId }).orderBy('created_at', 'desc').orderBy('id').limit(limit) as RecordRow[];
      return rows.map(toRecord);
    },
    /** A record only when it belongs to the account: another account's receipt id finds nothing. */
    async findConsentRecordOfAccount(accountId: string, id: string, trx: Db = db): Promise<ConsentRecord | undefined> {
      const row = await trx('consent_records').where({ account_id: accountId, id }).first() as RecordRow | undefined;
      return row && toRecord(row);
    },
    /** The newest ledger action per subject of one kind (e.g. every purpose), for one account. */
    async findLatestActions(accountId: string, subjectKind: SubjectKind, trx: Db = db): Promise<Map<string, { action: LedgerAction; at: Date; details: Record<string, unknown> }>> {
      const rows = await trx.raw<{ rows: { subject_ref: string; action: LedgerAction; created_at: Date; details: Record<string, unknown> }[] }>(
        `SELECT DISTINCT ON (subject_ref) subject_ref, action, created_at, details FROM consent_records
          WHERE account_id = ? AND subject_kind = ? ORDER BY subject_ref, created_at DESC, id DESC`,
        [accountId, subjectKind],
      );
      return new Map(rows.rows.map((r) => [r.subject_ref, { action: r.action, at: new Date(r.created_at), details: r.details }]));
    },
    /** Erasure: blanks the address of the account's records and marks them erased, keeping the facts (the trigger allows only this). */
    async eraseConsentRecordsOfAccount(accountId: string, trx: Db = db): Promise<number> {
      return trx('consent_records').where({ account_id: accountId }).whereNull('erased_at')
        .update({ ip: null, erased_at: trx.fn.now() });
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
