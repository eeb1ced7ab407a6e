// Owns the brand of the request being answered. The brand middleware opens a scope per request with the
// brand snapshot and a first guess (the default brand, or on the account pages the brand the customer came
// from); the journey names the interaction's client once it knows it. Pages read the brand from here.
import { AsyncLocalStorage } from 'node:async_hooks';
import { addLanguageSignals } from '../i18n/request-language.ts';
import { brandOffers, type OfferKind } from './offers.ts';
import type { BrandSnapshot } from './service.ts';
import type { BrandView } from './view.ts';

interface RequestBrand {
  snapshot: BrandSnapshot | undefined;
  brand: BrandView | undefined;
  /** The brand the customer last came from, which Foyer's own pages (e.g. the account pages' sign-in) keep. */
  lastBrand?: BrandView | undefined;
  /** Clients whose pages keep the last brand (Foyer's own page clients) unless an operator put them in one. */
  keepsLastBrand?: (clientId: string) => boolean;
  /** Told when the journey settles the brand (the account pages remember it as the last brand). */
  onChosen?: (brand: BrandView) => void;
}

const scope = new AsyncLocalStorage<RequestBrand>();

export function runWithBrand<T>(state: RequestBrand, fn: () => T): T {
  return scope.run(state, () => {
    speakBrandLanguage(state.brand);
    return fn();
  });
}

/** A brand's default language is the last of the reader's language signals (src/i18n/negotiate.ts). */
function speakBrandLanguage(brand: BrandView | undefined): void {
  if (brand?.defaultLanguage) addLanguageSignals({ brandDefault: brand.defaultLanguage });
}

/** The brand of this request's pages: the brand of `clientId` (the default brand for a client in none). */
export function chooseBrandOfClient(clientId: string | undefined): BrandView | undefined {
  const state = scope.getStore();
  if (!state?.snapshot) return undefined;
  const own = clientId !== undefined && !state.snapshot.clientBrand.has(clientId) && state.keepsLastBrand?.(clientId);
  if (own) {
    state.brand = state.lastBrand ?? state.brand;
    speakBrandLanguage(state.brand);
    return state.brand;
  }
  const brand = state.snapshot.brandOfClient(clientId);
  if (brand) {
    state.brand = brand;
    speakBrandLanguage(brand);
    state.onChosen?.(brand);
  }
  return brand;
}

/** The brand of the request being answered; undefined outside one, or when brands could not be read. */
export function currentBrand(): BrandView | undefined {
  return scope.getStore()?.brand;
}

/**
 * Whether a page in the current brand lists a purpose (or topic) by id: those of this brand and those no brand
 * lists (shared by all). Every one outside a brand scope, or when brands could not be read.
 */
export function shownInBrandInView(kind: OfferKind): (id: string) => boolean {
  const state = scope.getStore();
  if (!state?.snapshot || !state.brand) return () => true;
  const { snapshot, brand } = state;
  return (id) => brandOffers(snapshot.brands.values(), brand, kind, id);
}

/** The current brand's template overrides (partial name → source). */
export function currentBrandTemplates(): ReadonlyMap<string, string> | undefined {
  const state = scope.getStore();
  return state?.brand ? state.snapshot?.templates.get(state.brand.id) : undefined;
}
