// Owns the configuration shape of the consent registry (purposes, documents, the controller named in
// receipts) and of communication preferences (topics × channels). Seeds only: the database is authoritative.
import { z } from 'zod';

export const LEGAL_BASES = ['consent', 'contract', 'legitimate_interest', 'legal_obligation', 'public_interest', 'vital_interest'] as const;
export const CHANNELS = ['email', 'sms', 'push'] as const;

const registryId = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'schema.registry.id');
const locale = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'schema.locale.tag');
const localized = z.record(locale, z.object({ name: z.string().min(1).max(120), description: z.string().min(1).max(2000) }))
  .refine((texts) => Object.keys(texts).length > 0, 'schema.locale.required');

const unique = <T extends { id: string }>(list: T[]) => new Set(list.map((item) => item.id)).size === list.length;

export const purposeSchema = z.object({
  id: registryId,
  legalBasis: z.enum(LEGAL_BASES),
  texts: localized,
  dataCategories: z.array(z.string().min(1).max(60)).default([]),
  thirdPartyDisclosure: z.boolean().default(false),
});

/** One version of a document, as configured, published with `foyer documents publish` or through the admin API. */
export const documentVersionSchema = z.object({
  version: z.string().regex(/^[\w.-]{1,32}$/, 'schema.document.version'),
  url: z.url({ protocol: /^https?$/, error: 'schema.http_url' }).optional(),
  /** Material: customers accept it again at their next sign-in; editorial (false): no new acceptance. */
  material: z.boolean().default(true),
  /** When it takes effect (a scheduled version asks nothing before); now when left out. */
  publishedAt: z.iso.datetime({ offset: true }).optional(),
});

export const documentSchema = z.object({
  id: registryId,
  title: z.string().min(1).max(120),
  /** Every customer must accept it (else only customers of clients whose foyer_documents name it). */
  required: z.boolean().default(true),
  versions: z.array(documentVersionSchema).min(1),
});

const DEFAULT_PURPOSES: z.input<typeof purposeSchema>[] = [
  { id: 'account', legalBasis: 'contract', dataCategories: ['email', 'credentials'], texts: { en: { name: 'Your account', description: 'We keep your account so you can sign in to our apps.' } } },
  { id: 'security', legalBasis: 'legal_obligation', dataCategories: ['ip address', 'device'], texts: { en: { name: 'Security', description: 'The law requires us to keep your account safe: we note sign-ins and devices to protect it against fraud and abuse.' } } },
  { id: 'analytics', legalBasis: 'legitimate_interest', dataCategories: ['usage'], texts: { en: { name: 'Analytics', description: 'We measure how our apps are used, to improve them.' } } },
  { id: 'marketing', legalBasis: 'consent', dataCategories: ['email', 'name'], texts: { en: { name: 'Marketing', description: 'With your permission we send you news and offers.' } } },
  // The lite sign-up's default purpose (capture.purposes): its consent shows on the account pages and in receipts.
  { id: 'newsletter', legalBasis: 'consent', dataCategories: ['email', 'name'], texts: { en: { name: 'Newsletter', description: 'Our newsletter by email, for those who asked for it.' } } },
];

export const consentConfigSchema = z.object({
  controller: z.object({
    name: z.string().min(1).optional().describe('The data controller named in consent receipts and on /privacy; defaults to brandName.'),
    contact: z.string().optional().describe('Contact (person or office) of the data controller, e.g. the data protection officer.'),
    email: z.email().optional().describe('Email address of the data controller.'),
    address: z.string().optional().describe('Postal address of the data controller.'),
  }).prefault({}),
  policyUrl: z.url().optional().describe('The privacy policy URL named in consent receipts; defaults to $ISSUER/privacy.'),
  jurisdiction: z.string().min(1).default('EU').describe('Jurisdiction named in consent receipts.'),
  defaultLocale: locale.default('en').describe('Locale whose texts are shown when the reader\'s language has none.'),
  purposes: z.array(purposeSchema).default(DEFAULT_PURPOSES as never).refine(unique, 'schema.unique.purposes')
    .describe('Purposes seeded when absent: [{ id, legalBasis (consent, contract, legitimate_interest, legal_obligation, public_interest or vital_interest), texts: { en: { name, description } }, dataCategories, thirdPartyDisclosure }].'),
  documents: z.array(documentSchema).default([{ id: 'terms', title: 'Terms of service', required: true, versions: [{ version: '1', material: true }] }] as never)
    .refine(unique, 'schema.unique.documents')
    .describe('Documents and versions seeded when absent: [{ id, title, required, versions: [{ version, url, material, publishedAt }] }].'),
}).prefault({});

export const preferencesConfigSchema = z.object({
  channels: z.array(z.enum(CHANNELS)).min(1).default([...CHANNELS]).describe('Channels a customer may be contacted on: email, sms, push.'),
  topics: z.array(z.object({ id: registryId, texts: localized, channels: z.array(z.enum(CHANNELS)).min(1).optional() }))
    .default([{ id: 'news', texts: { en: { name: 'News and offers', description: 'Our newsletter, product news and offers.' } } }] as never)
    .refine(unique, 'schema.unique.topics')
    .describe('Communication topics seeded when absent: [{ id, texts: { en: { name, description } }, channels }] (channels default to all).'),
  confirmationSeconds: z.number().int().positive().default(7 * 24 * 3600).describe('How long the mailed email opt-in confirmation link works, in seconds.'),
  confirmationMailsPerEmail: z.number().int().min(1).default(3).describe('Opt-in confirmation mails allowed per email address per throttle window.'),
  confirmationMailsPerAddress: z.number().int().min(1).default(20).describe('Opt-in confirmation mails allowed per client address per throttle window.'),
}).prefault({});

export type PurposeConfig = z.infer<typeof purposeSchema>;
export type DocumentConfig = z.infer<typeof documentSchema>;
export type ConsentConfig = z.infer<typeof consentConfigSchema>;
export type PreferencesConfig = z.infer<typeof preferencesConfigSchema>;
export type LegalBasis = (typeof LEGAL_BASES)[number];
export type Channel = (typeof CHANNELS)[number];
