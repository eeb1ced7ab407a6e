// Owns cross-brand sharing: the account's home brand (the brand of its first sign-in), the question a
// brand's first visit asks (which existing profile fields to share with it), the answer in the consent
// ledger with its receipt, un-sharing on the account pages, and the filter the release applies per brand.
import type { ConsentContext, ConsentQueries } from '../consent/queries.ts';
import { brandFieldFilter, DEFAULT_BRAND_ID } from '../consent/brand-release.ts';
import type { Db } from '../db/create-db.ts';
import type { EventOutbox } from '../events/outbox.ts';
import type { BrandShare, BrandShareQueries } from './share-queries.ts';

export interface BrandSharingDeps {
  db: Db;
  queries: BrandShareQueries;
  ledger: Pick<ConsentQueries, 'appendConsentRecord'>;
  events: Pick<EventOutbox, 'emit'>;
  /** The brand id of a client (the default brand when it has none). */
  brandOfClient(clientId: string): Promise<string>;
  /** The account's stored profile values: field key and the client they were first given through (a later edit elsewhere does not count). */
  valuesOf(accountId: string): Promise<{ field: string; firstClientId: string | null }[]>;
  /** The keys of the enabled profile fields a customer can share (reserved claims such as the email are not among them). */
  shareableKeys(): readonly string[];
}

export interface SharingQuestion {
  brandId: string;
  /** Fields the customer has values for that this brand does not have yet: the checkboxes, none ticked. */
  fields: string[];
}

// Accounts this instance has seen a home brand for. A home row, once there, stays as long as the account can sign
// in (brand_shares rows are never deleted, only with their account), so the question needs no read for them at the
// default brand's clients; bounded, oldest forgotten first.
const KNOWN_HOMES_MAX = 10_000;

export function createBrandSharing(deps: BrandSharingDeps) {
  const { db, queries } = deps;
  const knownHomes = new Set<string>();
  const noteHome = (accountId: string) => {
    if (knownHomes.size >= KNOWN_HOMES_MAX) knownHomes.delete(knownHomes.values().next().value!);
    knownHomes.add(accountId);
  };

  /** Fields with values that the brand would not get without sharing (those first given through its own apps it has already). */
  async function offerable(accountId: string, brandId: string): Promise<string[]> {
    const shareable = new Set(deps.shareableKeys());
    const values = await deps.valuesOf(accountId);
    const offered: string[] = [];
    for (const value of values) {
      if (!shareable.has(value.field)) continue;
      if (value.firstClientId && (await deps.brandOfClient(value.firstClientId)) === brandId) continue;
      offered.push(value.field);
    }
    return offered.sort();
  }

  return {
    /**
     * Asked at every authorization once the customer is known: the first brand an account signs in at becomes
     * its home; a later brand's first visit asks the sharing question (when there is anything to share).
     */
    async question(accountId: string, clientId: string): Promise<SharingQuestion | undefined> {
      const brandId = await deps.brandOfClient(clientId);
      if (brandId === DEFAULT_BRAND_ID && knownHomes.has(accountId)) return undefined;
      let shares = await queries.listShares(accountId);
      if (!shares.some((s) => s.home)) {
        await queries.insertHomeIfNone(accountId, brandId);
        shares = await queries.listShares(accountId);
      }
      if (shares.some((s) => s.home)) noteHome(accountId);
      if (brandId === DEFAULT_BRAND_ID || shares.some((s) => s.brandId === brandId)) return undefined;
      const fields = await offerable(accountId, brandId);
      return fields.length ? { brandId, fields } : undefined;
    },

    /**
     * Records the answer (fields ticked, a subset of those offered): one row and one ledger record per brand,
     * however many submissions race; undefined when the brand had an answer already.
     */
    async answer(accountId: string, clientId: string, ticked: readonly string[], context: ConsentContext): Promise<string | undefined> {
      const brandId = await deps.brandOfClient(clientId);
      if (brandId === DEFAULT_BRAND_ID) return undefined;
      const offered = new Set(await offerable(accountId, brandId));
      const fields = [...new Set(ticked)].filter((f) => offered.has(f)).sort();
      return db.transaction(async (trx) => {
        if (!(await queries.insertShareIfAbsent(accountId, brandId, fields, trx))) return undefined;
        const receiptId = await deps.ledger.appendConsentRecord({
          accountId, subjectKind: 'brand_sharing', subjectRef: brandId, action: 'grant', details: { brand: brandId, fields }, legalBasis: 'consent',
        }, { ...context, clientId }, trx);
        await queries.updateShare(accountId, brandId, { receiptId }, trx);
        await deps.events.emit({ type: 'consent.granted', accountId, clientId, data: { receiptId, kind: 'brand_sharing', brand: brandId, fields } }, trx);
        return receiptId;
      });
    },

    /** Stops sharing one field (or every field) with a brand; false when nothing was shared that way. */
    async unshare(accountId: string, brandId: string, field: string | undefined, context: ConsentContext): Promise<boolean> {
      return db.transaction(async (trx) => {
        const share = await queries.findShareForUpdate(accountId, brandId, trx);
        if (!share || share.home) return false;
        const withdrawn = field === undefined ? share.fields : share.fields.filter((f) => f === field);
        if (!withdrawn.length) return false;
        const fields = share.fields.filter((f) => !withdrawn.includes(f));
        const receiptId = await deps.ledger.appendConsentRecord({
          accountId, subjectKind: 'brand_sharing', subjectRef: brandId, action: 'withdraw', details: { brand: brandId, withdrawn, fields }, legalBasis: 'consent',
        }, context, trx);
        await queries.updateShare(accountId, brandId, { fields, receiptId }, trx);
        await deps.events.emit({ type: 'consent.withdrawn', accountId, data: { subject: 'brand_sharing', brand: brandId, fields: withdrawn, record: receiptId } }, trx);
        return true;
      });
    },

    list: (accountId: string): Promise<BrandShare[]> => queries.listShares(accountId),

    /** For claims: which profile fields an app of this client's brand may have; undefined = all, as before brands. */
    async fieldFilter(accountId: string, clientId: string | undefined): Promise<((field: string) => boolean) | undefined> {
      const brandId = clientId ? await deps.brandOfClient(clientId) : DEFAULT_BRAND_ID;
      if (brandId === DEFAULT_BRAND_ID) return undefined;
      const shares = await queries.listShares(accountId);
      const homeBrandId = shares.find((s) => s.home)?.brandId;
      // The home brand has every field: no need to read where each value came from.
      if (homeBrandId === undefined || homeBrandId === brandId) return undefined;
      const firstGivenTo = new Map<string, string>();
      for (const value of await deps.valuesOf(accountId)) if (value.firstClientId) firstGivenTo.set(value.field, await deps.brandOfClient(value.firstClientId));
      return brandFieldFilter({ brandId, homeBrandId, shared: shares.find((s) => s.brandId === brandId)?.fields ?? [], firstGivenTo });
    },
  };
}

export type BrandSharing = ReturnType<typeof createBrandSharing>;
