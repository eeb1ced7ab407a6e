// Owns what a brand's settings may be (zod at the edge): hex colours, a font list that cannot break out of
// CSS, http(s) links, a supported language tag, a mail sender, and the ids of its documents, purposes and topics.
import { z } from 'zod';
import { LANGUAGES } from '../i18n/languages.ts';
import { isHexColour } from './colours.ts';

export const BRAND_ID = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

const colour = z.string().max(20).refine(isHexColour, 'schema.brand.colour');
const link = z.string().max(2000).url().refine((u) => /^https?:\/\//.test(u), 'schema.brand.http_address');
const ids = z.array(z.string().regex(/^[\w.:-]{1,200}$/, 'schema.brand.id')).max(100);

export const DEFAULT_COLOURS = { accent: '#2f5bea', text: '#1d2330', background: '#f6f7fb' } as const;

export const brandSettingsSchema = z.object({
  name: z.string().trim().min(1).max(100),
  colours: z.object({ accent: colour, text: colour, background: colour }).strict().optional(),
  /** A CSS font-family list: letters, digits, spaces, hyphens, commas and quotes only. */
  font: z.string().max(200).regex(/^[\p{L}\p{N} ,'"-]+$/u, 'schema.brand.font').optional(),
  supportUrl: link.optional(),
  privacyUrl: link.optional(),
  defaultLanguage: z.string().max(35).refine((tag) => (LANGUAGES as readonly string[]).includes(tag), { error: 'schema.brand.language', params: { options: LANGUAGES } }).optional(),
  mail: z.object({ fromName: z.string().trim().min(1).max(100).regex(/^[^\r\n<>"]+$/, 'schema.brand.plain_name'), fromAddress: z.email().max(254) }).strict().optional(),
  /** Terms documents every app of the brand requires (document ids). */
  documents: ids.optional(),
  /** Purposes that belong to this brand only; a purpose no brand lists is shared by all. */
  purposes: ids.optional(),
  /** Communication topics that belong to this brand only; a topic no brand lists is shared by all. */
  topics: ids.optional(),
}).strict();

export type BrandSettings = z.infer<typeof brandSettingsSchema>;

export const TEMPLATE_NAME = /^[a-z0-9-]{1,60}(?:\/[a-z0-9-]{1,60})?$/;
export const TEMPLATE_MAX_CHARS = 20_000;
