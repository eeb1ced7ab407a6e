// The registry with fake queries: seeding inserts only what is absent (config never overwrites the
// database), topics keep only configured channels, and purposes say whether consent or objection applies.
import { describe, expect, it } from 'vitest';
import { consentConfigSchema, preferencesConfigSchema } from '../../../src/config/consent-schema.ts';
import type { Db } from '../../../src/db/create-db.ts';
import type { PurposeRow, RegistryQueries, TopicRow } from '../../../src/consent/registry/queries.ts';
import { createConsentRegistry } from '../../../src/consent/registry/registry.ts';

function fakeQueries(existing: PurposeRow[]) {
  const purposes = new Map(existing.map((p) => [p.id, p]));
  const topics = new Map<string, TopicRow>();
  const queries = {
    findPurposeRow: async (id: string) => purposes.get(id),
    listPurposeRows: async () => [...purposes.values()],
    insertPurposeIfAbsent: async (row: PurposeRow) => !purposes.has(row.id) && Boolean(purposes.set(row.id, row)),
    listPurposeRowsWithLatestAction: async () => [...purposes.values()].map((row) => ({ ...row, latest_action: null, latest_at: null })),
    listTopicRows: async () => [...topics.values()],
    insertTopicIfAbsent: async (row: TopicRow) => !topics.has(row.id) && Boolean(topics.set(row.id, row)),
    upsertPurposeRow: async (row: PurposeRow) => void purposes.set(row.id, row),
    findTopicRow: async (id: string) => topics.get(id),
    upsertTopicRow: async (row: TopicRow) => void topics.set(row.id, row),
    insertDocumentIfAbsent: async () => false,
    findDocument: async () => undefined,
    insertDocumentVersionIfAbsent: async () => undefined,
    listDocumentVersions: async () => [],
  } satisfies RegistryQueries;
  return { queries, purposes, topics };
}

const db = { transaction: async (work: (trx: unknown) => Promise<unknown>) => work(db) } as unknown as Db;

describe('the consent registry', () => {
  it('seeds what is absent, keeps what the database holds, and filters topic channels', async () => {
    const edited: PurposeRow = { id: 'account', legal_basis: 'contract', texts: { en: { name: 'Edited', description: 'by an admin' } }, data_categories: [], third_party_disclosure: false };
    const { queries, purposes, topics } = fakeQueries([edited]);
    const registry = createConsentRegistry(db, queries, {
      consent: consentConfigSchema.parse({}),
      preferences: preferencesConfigSchema.parse({ channels: ['email', 'sms'], topics: [{ id: 'news', texts: { en: { name: 'News', description: 'n' } }, channels: ['email', 'push'] }] }),
    });
    expect(await registry.seed()).toMatchObject({ purposes: 4, topics: 1 }); // every default purpose but the edited one
    expect(purposes.get('account')).toBe(edited);
    expect(topics.get('news')!.channels).toEqual(['email']);
    expect(await registry.findPurpose('marketing')).toMatchObject({ legalBasis: 'consent', needsConsent: true, objectable: false });
    expect(await registry.findPurpose('analytics')).toMatchObject({ legalBasis: 'legitimate_interest', needsConsent: false, objectable: true });
    expect(await registry.findPurpose('security')).toMatchObject({ legalBasis: 'legal_obligation', objectable: false });
    expect(await registry.findPurpose('nope')).toBeUndefined();
    expect(await registry.seed()).toMatchObject({ purposes: 0, topics: 0 });
  });

  it('refuses a configuration with an unknown legal basis or duplicate ids, naming the problem', () => {
    expect(() => consentConfigSchema.parse({ purposes: [{ id: 'x', legalBasis: 'because', texts: { en: { name: 'X', description: 'x' } } }] })).toThrow(/legalBasis/);
    const twice = { id: 'x', legalBasis: 'consent', texts: { en: { name: 'X', description: 'x' } } };
    expect(() => consentConfigSchema.parse({ purposes: [twice, twice] })).toThrow(/unique/);
    expect(() => consentConfigSchema.parse({ purposes: [{ ...twice, texts: {} }] })).toThrow(/locale/);
  });
});
