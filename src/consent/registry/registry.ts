// Owns the purpose, document and topic registry other modules read: `findPurpose(id)` (with its legal
// basis), `listPurposes()`, topics, documents; seeding from config, and publishing document versions.
import type { Channel, ConsentConfig, LegalBasis, PreferencesConfig, PurposeConfig } from '../../config/consent-schema.ts';
import type { Db } from '../../db/create-db.ts';
import { createReadCache } from '../../cache/read-cache.ts';
import { AppError } from '../../errors/app-error.ts';
import type { ConsentQueries } from '../queries.ts';
import { OBJECTABLE_BASES } from '../release-rule.ts';
import { pickText, type Texts } from '../texts.ts';
import type { DocumentVersionRow, PurposeRow, PurposeRowWithLatestAction, RegistryQueries } from './queries.ts';


export interface Purpose {
  id: string;
  legalBasis: LegalBasis;
  texts: Texts;
  dataCategories: string[];
  thirdPartyDisclosure: boolean;
  /** Consent-based: processing needs the customer's grant, which they may withdraw. */
  needsConsent: boolean;
  /** The customer may object to it. */
  objectable: boolean;
}

export interface Topic {
  id: string;
  texts: Texts;
  channels: Channel[];
}

export interface DocumentVersionInfo {
  version: string;
  url: string | null;
  material: boolean;
  publishedAt: Date;
}

export interface DocumentInfo {
  id: string;
  title: string;
  required: boolean;
  versions: DocumentVersionInfo[];
}

const toPurpose = (row: PurposeRow): Purpose => ({
  id: row.id,
  legalBasis: row.legal_basis as LegalBasis,
  texts: row.texts,
  dataCategories: row.data_categories,
  thirdPartyDisclosure: row.third_party_disclosure,
  needsConsent: row.legal_basis === 'consent',
  objectable: OBJECTABLE_BASES.has(row.legal_basis as LegalBasis),
});

export type PurposeWithLatestAction = { purpose: Purpose; latest: { action: 'grant' | 'withdraw'; at: Date } | undefined };

/** Purposes with the account's newest action on each, from their rows (also as read with the account: `purposeRowsWithLatestActionJsonSql`). */
export const purposesWithLatestAction = (rows: readonly PurposeRowWithLatestAction[]): PurposeWithLatestAction[] => rows.map((row) => ({
  purpose: toPurpose(row),
  latest: row.latest_action && row.latest_at ? { action: row.latest_action, at: new Date(row.latest_at) } : undefined,
}));

function groupDocuments(rows: DocumentVersionRow[]): DocumentInfo[] {
  const documents = new Map<string, DocumentInfo>();
  for (const row of rows) {
    let doc = documents.get(row.document_id);
    if (!doc) documents.set(row.document_id, (doc = { id: row.document_id, title: row.title, required: row.required, versions: [] }));
    doc.versions.push({ version: row.version, url: row.url, material: row.material, publishedAt: new Date(row.published_at) });
  }
  return [...documents.values()];
}

export class UnknownDocumentError extends Error {}
export class DocumentVersionExistsError extends Error {}

/** What the ledger tells the registry: whether anyone's records rest on a purpose or a topic's channel. */
export type RegistryLedger = Pick<ConsentQueries, 'hasRecordsOfSubject'>;

const NO_LEDGER: RegistryLedger = { hasRecordsOfSubject: async () => false };

// Purposes are read by other modules on hot paths (restriction, profile); a few seconds of cache is enough.
const PURPOSE_CACHE_MS = 5000;

export function createConsentRegistry(db: Db, queries: RegistryQueries, settings: { consent: ConsentConfig; preferences: PreferencesConfig }, ledger: RegistryLedger = NO_LEDGER) {
  const cache = createReadCache<Purpose>(PURPOSE_CACHE_MS);
  return {
    /** The purpose with this id, or undefined when the registry has none. */
    async findPurpose(id: string): Promise<Purpose | undefined> {
      return cache.get(id, async () => {
        const row = await queries.findPurposeRow(id);
        return row && toPurpose(row);
      });
    },
    async listPurposes(): Promise<Purpose[]> {
      return (await queries.listPurposeRows()).map(toPurpose);
    },
    /** Every purpose with the account's newest action on it (undefined when none), read fresh in one statement. */
    async listPurposesWithLatestAction(accountId: string): Promise<PurposeWithLatestAction[]> {
      return purposesWithLatestAction(await queries.listPurposeRowsWithLatestAction(accountId));
    },
    async listTopics(): Promise<Topic[]> {
      return (await queries.listTopicRows()).map((row) => ({ id: row.id, texts: row.texts, channels: row.channels as Channel[] }));
    },
    async listDocuments(): Promise<DocumentInfo[]> {
      return groupDocuments(await queries.listDocumentVersions());
    },
    /** The name and description of a registry entry in the reader's language, with fallback. */
    text: (texts: Texts, locales: readonly string[] = []) => pickText(texts, locales, settings.consent.defaultLocale),
    /** Inserts the configured purposes, documents, versions and topics that the database lacks. */
    async seed(): Promise<{ purposes: number; documents: number; versions: number; topics: number }> {
      const counts = { purposes: 0, documents: 0, versions: 0, topics: 0 };
      await db.transaction(async (trx) => {
        for (const p of settings.consent.purposes) {
          if (await queries.insertPurposeIfAbsent({ id: p.id, legal_basis: p.legalBasis, texts: p.texts, data_categories: p.dataCategories, third_party_disclosure: p.thirdPartyDisclosure }, trx)) counts.purposes++;
        }
        for (const d of settings.consent.documents) {
          if (await queries.insertDocumentIfAbsent({ id: d.id, title: d.title, required: d.required }, trx)) counts.documents++;
          for (const v of d.versions) {
            const version = { documentId: d.id, version: v.version, url: v.url, material: v.material, publishedAt: v.publishedAt ? new Date(v.publishedAt) : undefined };
            if (await queries.insertDocumentVersionIfAbsent(version, trx)) counts.versions++;
          }
        }
        const channels = settings.preferences.channels;
        for (const t of settings.preferences.topics) {
          const topicChannels = (t.channels ?? channels).filter((c) => channels.includes(c));
          if (await queries.insertTopicIfAbsent({ id: t.id, texts: t.texts, channels: topicChannels }, trx)) counts.topics++;
        }
      });
      return counts;
    },
    /**
     * Creates a purpose or changes its texts, data categories and disclosure. Records in the ledger rest on a
     * purpose's legal basis (and a consent given without third-party disclosure covers none), so once any exist
     * those cannot change: a new purpose is the honest way.
     */
    async savePurpose(input: PurposeConfig): Promise<{ purpose: Purpose; created: boolean }> {
      const previous = await queries.findPurposeRow(input.id);
      if (previous && await ledger.hasRecordsOfSubject('purpose', input.id)) {
        if (previous.legal_basis !== input.legalBasis) {
          throw new AppError('purpose.legal_basis_locked', `legalBasis: customers' consent records rest on ${input.id} being ${previous.legal_basis}; its legal basis cannot change now. Define a new purpose instead.`, 409);
        }
        if (!previous.third_party_disclosure && input.thirdPartyDisclosure) {
          throw new AppError('purpose.disclosure_locked', `thirdPartyDisclosure: customers decided about ${input.id} when it disclosed nothing to third parties; define a new purpose instead.`, 409);
        }
      }
      const row: PurposeRow = { id: input.id, legal_basis: input.legalBasis, texts: input.texts, data_categories: input.dataCategories, third_party_disclosure: input.thirdPartyDisclosure };
      await queries.upsertPurposeRow(row);
      cache.forget(input.id);
      return { purpose: toPurpose(row), created: !previous };
    },
    /** Creates a topic or changes its texts and channels; a channel someone opted in or out on stays. */
    async saveTopic(input: Topic): Promise<{ topic: Topic; created: boolean }> {
      const offered = settings.preferences.channels;
      const unknown = input.channels.find((c) => !offered.includes(c));
      if (unknown) throw new AppError('request.invalid', `channels: ${unknown} is not among the channels offered (${offered.join(', ')}).`, 400);
      const previous = await queries.findTopicRow(input.id);
      for (const channel of previous?.channels ?? []) {
        if (!input.channels.includes(channel as Channel) && await ledger.hasRecordsOfSubject('preference', `${input.id}:${channel}`)) {
          throw new AppError('topic.channel_in_use', `channels: customers chose about ${input.id} by ${channel}; that channel cannot be taken away from the topic.`, 409);
        }
      }
      await queries.upsertTopicRow({ id: input.id, texts: input.texts, channels: input.channels });
      return { topic: input, created: !previous };
    },
    /** Creates a document with its first versions; undefined when the id is taken (nothing is changed then). */
    async createDocument(input: { id: string; title: string; required: boolean; versions: { version: string; material: boolean; url?: string | undefined; publishedAt?: Date | undefined }[] }): Promise<DocumentInfo | undefined> {
      const created = await db.transaction(async (trx) => {
        if (!(await queries.insertDocumentIfAbsent({ id: input.id, title: input.title, required: input.required }, trx))) return false;
        for (const v of input.versions) await queries.insertDocumentVersionIfAbsent({ documentId: input.id, ...v }, trx);
        return true;
      });
      return created ? groupDocuments(await queries.listDocumentVersions()).find((d) => d.id === input.id) : undefined;
    },
    /**
     * Publishes a new version of a document. A material version makes every customer who must accept the
     * document accept it again before their next sign-in completes; an editorial one does not. A published
     * version never changes.
     */
    async publishDocumentVersion(input: { documentId: string; version: string; material: boolean; url?: string | undefined; publishedAt?: Date | undefined }): Promise<DocumentVersionInfo> {
      if (!(await queries.findDocument(input.documentId))) throw new UnknownDocumentError(`no document with id "${input.documentId}"`);
      const publishedAt = await queries.insertDocumentVersionIfAbsent(input);
      if (!publishedAt) throw new DocumentVersionExistsError(`version ${input.version} of ${input.documentId} already exists; versions cannot be changed once published`);
      return { version: input.version, url: input.url ?? null, material: input.material, publishedAt };
    },
  };
}

export type ConsentRegistry = ReturnType<typeof createConsentRegistry>;
