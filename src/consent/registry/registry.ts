// Owns the purpose, document and topic registry other modules read: `findPurpose(id)` (with its legal
// basis), `listPurposes()`, topics, documents; seeding from config, and publishing document versions.
import type { Channel, ConsentConfig, LegalBasis, PreferencesConfig } from '../../config/consent-schema.ts';
import type { Db } from '../../db/create-db.ts';
import { createReadCache } from '../../db/read-cache.ts';
import { pickText, type Texts } from '../texts.ts';
import type { DocumentVersionRow, PurposeRow, RegistryQueries } from './queries.ts';

/** Legal bases under which the customer may object (GDPR Art. 21(1): public interest, legitimate interest). */
export const OBJECTABLE_BASES: readonly LegalBasis[] = ['legitimate_interest', 'public_interest'];

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
  objectable: OBJECTABLE_BASES.includes(row.legal_basis as LegalBasis),
});

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

// Purposes are read by other modules on hot paths (restriction, profile); a few seconds of cache is enough.
const PURPOSE_CACHE_MS = 5000;

export function createConsentRegistry(db: Db, queries: RegistryQueries, settings: { consent: ConsentConfig; preferences: PreferencesConfig }) {
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
     * Publishes a new version of a document. A material version makes every customer who must accept the
     * document accept it again before their next sign-in completes; an editorial one does not.
     */
    async publishDocumentVersion(input: { documentId: string; version: string; material: boolean; url?: string | undefined; publishedAt?: Date | undefined }): Promise<{ created: boolean }> {
      if (!(await queries.findDocument(input.documentId))) throw new UnknownDocumentError(`no document with id "${input.documentId}"`);
      return { created: await queries.insertDocumentVersionIfAbsent(input) };
    },
  };
}

export type ConsentRegistry = ReturnType<typeof createConsentRegistry>;
