// Owns which purposes and topics a brand may offer: those it lists as its own, and those no brand lists (shared
// by all). The pages in view, the lite sign-up (form and API) and the saving of a brand all ask here.
import type { BrandView } from './view.ts';

export type OfferKind = 'purposes' | 'topics';

/** The brand that lists a purpose (or topic) as its own; undefined when none does (it is shared by all). */
export function ownerOf(brands: Iterable<BrandView>, kind: OfferKind, id: string): BrandView | undefined {
  for (const brand of brands) if (brand[kind].includes(id)) return brand;
  return undefined;
}

/** Whether `brand` may offer the purpose (or topic): its own, or one no brand lists. */
export function brandOffers(brands: Iterable<BrandView>, brand: Pick<BrandView, 'id'>, kind: OfferKind, id: string): boolean {
  const owner = ownerOf(brands, kind, id);
  return !owner || owner.id === brand.id;
}

/** The part of a brand snapshot (service.ts) the check reads. */
export interface BrandsOfClients {
  brands: ReadonlyMap<string, BrandView>;
  brandOfClient(clientId: string | undefined): BrandView | undefined;
}

/** Whether a client (an app) may offer it: its brand's own (the default brand for a client in none), or a shared one. */
export function clientOffers(snapshot: BrandsOfClients, clientId: string, kind: OfferKind, id: string): boolean {
  const brand = snapshot.brandOfClient(clientId);
  // A snapshot always holds the default brand; without it, only a shared entry is safe to offer.
  return brand ? brandOffers(snapshot.brands.values(), brand, kind, id) : !ownerOf(snapshot.brands.values(), kind, id);
}
