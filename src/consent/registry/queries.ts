// Owns the registry tables: consent_purposes, consent_documents with their versions, and
// communication_topics. Inserts never overwrite a row: config only seeds what is absent.
import type { Db } from '../../db/create-db.ts';
import type { Texts } from '../texts.ts';

export interface PurposeRow {
  id: string;
  legal_basis: string;
  texts: Texts;
  data_categories: string[];
  third_party_disclosure: boolean;
}

export interface TopicRow {
  id: string;
  texts: Texts;
  channels: string[];
}

export interface DocumentVersionRow {
  document_id: string;
  title: string;
  required: boolean;
  version: string;
  url: string | null;
  material: boolean;
  published_at: Date;
}

export interface NewDocumentVersion {
  documentId: string;
  version: string;
  url?: string | undefined;
  material: boolean;
  publishedAt?: Date | undefined;
}

export type PurposeRowWithLatestAction = PurposeRow & { latest_action: 'grant' | 'withdraw' | null; latest_at: Date | string | null };

/** The account's newest purpose action on each purpose `p` (by the consent_records subject index). */
const latestPurposeAction = (accountIdSql: string) => `LEFT JOIN LATERAL (SELECT r.action, r.created_at FROM consent_records r
    WHERE r.account_id = ${accountIdSql} AND r.subject_kind = 'purpose' AND r.subject_ref = p.id
    ORDER BY r.created_at DESC, r.id DESC LIMIT 1) l ON true`;

/**
 * The same rows as one JSON array, as a scalar subquery for another read to carry (`accountIdSql` names the
 * account's id column there): the token and userinfo paths read it with the account in one statement.
 */
export const purposeRowsWithLatestActionJsonSql = (accountIdSql: string): string => `(SELECT coalesce(json_agg(json_build_object(
    'id', p.id, 'legal_basis', p.legal_basis, 'texts', p.texts, 'data_categories', p.data_categories,
    'third_party_disclosure', p.third_party_disclosure, 'latest_action', l.action, 'latest_at', l.created_at) ORDER BY p.created_at, p.id), '[]'::json)
  FROM consent_purposes p ${latestPurposeAction(accountIdSql)})`;

export function createRegistryQueries(db: Db) {
  return {
    async findPurposeRow(id: string, trx: Db = db): Promise<PurposeRow | undefined> {
      return (await trx('consent_purposes').where({ id }).first()) as PurposeRow | undefined;
    },
    async listPurposeRows(trx: Db = db): Promise<PurposeRow[]> {
      return (await trx('consent_purposes').orderBy('created_at').orderBy('id')) as PurposeRow[];
    },
    /**
     * Every purpose with the account's newest purpose action on it (grant or withdraw, null when none), in one
     * statement: the release rule reads both on every token and userinfo.
     */
    async listPurposeRowsWithLatestAction(accountId: string, trx: Db = db): Promise<PurposeRowWithLatestAction[]> {
      const result = await trx.raw<{ rows: PurposeRowWithLatestAction[] }>(
        `SELECT p.id, p.legal_basis, p.texts, p.data_categories, p.third_party_disclosure, l.action AS latest_action, l.created_at AS latest_at
           FROM consent_purposes p ${latestPurposeAction('?')}
          ORDER BY p.created_at, p.id`,
        [accountId],
      );
      return result.rows;
    },
    async insertPurposeIfAbsent(row: PurposeRow, trx: Db = db): Promise<boolean> {
      const inserted = await trx('consent_purposes').insert({
        ...row, texts: JSON.stringify(row.texts), data_categories: JSON.stringify(row.data_categories),
      }).onConflict('id').ignore().returning('id');
      return inserted.length > 0;
    },
    async upsertPurposeRow(row: PurposeRow, trx: Db = db): Promise<void> {
      const values = { legal_basis: row.legal_basis, texts: JSON.stringify(row.texts), data_categories: JSON.stringify(row.data_categories), third_party_disclosure: row.third_party_disclosure };
      await trx('consent_purposes').insert({ id: row.id, ...values }).onConflict('id').merge({ ...values, updated_at: trx.fn.now() });
    },
    async findTopicRow(id: string, trx: Db = db): Promise<TopicRow | undefined> {
      return (await trx('communication_topics').where({ id }).first('id', 'texts', 'channels')) as TopicRow | undefined;
    },
    async upsertTopicRow(row: TopicRow, trx: Db = db): Promise<void> {
      const values = { texts: JSON.stringify(row.texts), channels: JSON.stringify(row.channels) };
      await trx('communication_topics').insert({ id: row.id, ...values }).onConflict('id').merge({ ...values, updated_at: trx.fn.now() });
    },
    async listTopicRows(trx: Db = db): Promise<TopicRow[]> {
      return (await trx('communication_topics').orderBy('created_at').orderBy('id')) as TopicRow[];
    },
    async insertTopicIfAbsent(row: TopicRow, trx: Db = db): Promise<boolean> {
      const inserted = await trx('communication_topics').insert({ ...row, texts: JSON.stringify(row.texts), channels: JSON.stringify(row.channels) })
        .onConflict('id').ignore().returning('id');
      return inserted.length > 0;
    },
    async insertDocumentIfAbsent(doc: { id: string; title: string; required: boolean }, trx: Db = db): Promise<boolean> {
      const inserted = await trx('consent_documents').insert(doc).onConflict('id').ignore().returning('id');
      return inserted.length > 0;
    },
    async findDocument(id: string, trx: Db = db): Promise<{ id: string; title: string; required: boolean } | undefined> {
      return (await trx('consent_documents').where({ id }).first('id', 'title', 'required')) as { id: string; title: string; required: boolean } | undefined;
    },
    /** Inserts the version unless (document, version) exists; its publication time when inserted. */
    async insertDocumentVersionIfAbsent(version: NewDocumentVersion, trx: Db = db): Promise<Date | undefined> {
      const inserted = await trx('consent_document_versions').insert({
        document_id: version.documentId,
        version: version.version,
        url: version.url ?? null,
        material: version.material,
        ...(version.publishedAt ? { published_at: version.publishedAt } : {}),
      }).onConflict(['document_id', 'version']).ignore().returning('published_at') as { published_at: Date }[];
      return inserted[0] && new Date(inserted[0].published_at);
    },
    /** Every version of every document, newest first within a document. */
    async listDocumentVersions(trx: Db = db): Promise<DocumentVersionRow[]> {
      return (await trx('consent_document_versions as v').join('consent_documents as d', 'd.id', 'v.document_id')
        .select('v.document_id', 'd.title', 'd.required', 'v.version', 'v.url', 'v.material', 'v.published_at')
        .orderBy('v.document_id').orderBy('v.published_at', 'desc')) as DocumentVersionRow[];
    },
  };
}

export type RegistryQueries = ReturnType<typeof createRegistryQueries>;
