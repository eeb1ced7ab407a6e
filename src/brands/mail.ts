// Owns what a mail is told of a brand: its name, its own sender when it has one, its logo's absolute
// address and its accent colour.
import type { BrandView } from './view.ts';

export function mailBrandOf(brand: BrandView | undefined, issuer: string) {
  if (!brand) return undefined;
  return {
    name: brand.name,
    accent: brand.colours.accent,
    ...(brand.mail ? { from: { name: brand.mail.fromName, address: brand.mail.fromAddress } } : {}),
    ...(brand.logoUrl ? { logoUrl: `${issuer}${brand.logoUrl}` } : {}),
  };
}
