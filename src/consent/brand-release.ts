// Owns the release rule across brands: which of a customer's profile fields an app of a brand may receive.
// Pure. Apps of the default brand, and the brand the account began at, receive every field as before.
export const DEFAULT_BRAND_ID = 'default';

export interface BrandReleaseInput {
  /** The brand of the app asking. */
  brandId: string;
  /** The brand the account began at; undefined while it has none on record (no brand visited yet). */
  homeBrandId: string | undefined;
  /** The fields the customer shared with the asking brand (empty when never asked or nothing shared). */
  shared: readonly string[];
  /**
   * Field → the brand of the app the value was first given through (absent: first given on the account pages, by an
   * admin, an import). A value first given at brand A and edited later at brand B stays A's unless shared with B.
   */
  firstGivenTo: ReadonlyMap<string, string>;
}

/** Whether a field may go to the brand's apps at all; undefined = no brand restriction (every field as before). */
export function brandFieldFilter(input: BrandReleaseInput): ((field: string) => boolean) | undefined {
  const { brandId, homeBrandId } = input;
  if (brandId === DEFAULT_BRAND_ID || homeBrandId === undefined || homeBrandId === brandId) return undefined;
  const shared = new Set(input.shared);
  return (field) => shared.has(field) || input.firstGivenTo.get(field) === brandId;
}
