// Owns what pages and mails are given of a brand: its name, look (logo and theme addresses versioned by
// content, colours, font), links, default language, and the API's JSON of a brand.
import { DEFAULT_COLOURS, type BrandSettings } from './schema.ts';
import type { BrandRow } from './queries.ts';

export const DEFAULT_BRAND = 'default';

export interface BrandView {
  id: string;
  name: string;
  /** The brand's logo, cacheable for ever (its address changes with its content). */
  logoUrl?: string;
  /** A stylesheet of the brand's CSS custom properties, at an address that changes with the brand. */
  themeUrl: string;
  colours: { accent: string; text: string; background: string };
  font?: string;
  supportUrl?: string;
  privacyUrl?: string;
  /** The brand's default language, for language negotiation. */
  defaultLanguage?: string;
  mail?: { fromName: string; fromAddress: string };
  documents: string[];
  purposes: string[];
  topics: string[];
}

export function brandView(row: BrandRow, fallbackName: string): BrandView {
  const s = row.settings as Partial<BrandSettings>;
  const version = row.updatedAt.getTime().toString(36);
  return {
    id: row.id,
    name: row.name || fallbackName,
    ...(row.logoHash ? { logoUrl: `/brands/${row.id}/logo?v=${row.logoHash}` } : {}),
    themeUrl: `/brands/${row.id}/theme.css?v=${version}`,
    colours: { ...DEFAULT_COLOURS, ...s.colours },
    ...(s.font ? { font: s.font } : {}),
    ...(s.supportUrl ? { supportUrl: s.supportUrl } : {}),
    ...(s.privacyUrl ? { privacyUrl: s.privacyUrl } : {}),
    ...(s.defaultLanguage ? { defaultLanguage: s.defaultLanguage } : {}),
    ...(s.mail ? { mail: s.mail } : {}),
    documents: s.documents ?? [],
    purposes: s.purposes ?? [],
    topics: s.topics ?? [],
  };
}

/** The brand's CSS custom properties, read by views/assets/foyer.css. */
export function themeCss(brand: BrandView): string {
  const lines = [`--accent: ${brand.colours.accent};`, `--ink: ${brand.colours.text};`, `--bg: ${brand.colours.background};`];
  if (brand.font) lines.push(`--font: ${brand.font};`, `font-family: ${brand.font};`);
  return `:root {\n  ${lines.join('\n  ')}\n}\n`;
}

export const brandJson = (brand: BrandView, clients: string[], templates: string[]) => ({ ...brand, clients, templates });
