// Owns the shape of one profile field definition (config seed and database rows alike): its type,
// validation, labels per locale, purpose, releasing scope and collection rule. Imports nothing from Foyer.
import { z } from 'zod';

/** Standard OpenID Connect claims a profile field may be (OIDC Core 5.1); anything else is a custom field. */
export const STANDARD_PROFILE_CLAIMS = ['given_name', 'family_name', 'nickname', 'birthdate', 'gender', 'locale', 'zoneinfo', 'phone_number', 'address', 'picture', 'website'] as const;

/** Claims a profile value must never become: the identity and protocol claims Foyer itself asserts. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'sub', 'email', 'email_verified', 'phone_number_verified', 'acr', 'amr', 'iss', 'aud', 'exp', 'iat', 'nbf',
  'auth_time', 'nonce', 'sid', 'azp', 'at_hash', 'c_hash', 's_hash', 'jti', 'cnf', 'client_id', 'scope',
]);

export const FIELD_TYPES = ['string', 'number', 'boolean', 'date', 'single_choice', 'multi_choice'] as const;

const localized = z.record(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'schema.locale.key'), z.string().min(1).max(500))
  .refine((labels) => Object.keys(labels).length > 0, 'schema.locale.required');

export const fieldKeySchema = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'schema.profile_field.key');

/** When a field is asked, apart from a client that lists it: at sign-up (the first visit), from the Nth visit, or never. */
export const askRuleSchema = z.union([z.literal('signup'), z.literal('never'), z.object({ fromVisit: z.number().int().min(1).max(1000) }).strict()]);

export const profileFieldSchema = z.object({
  key: fieldKeySchema,
  type: z.enum(FIELD_TYPES).default('string'),
  label: localized,
  help: localized.optional(),
  /** The purpose (a purpose id of the consent ledger) this field serves. */
  purpose: z.string().regex(/^[\w.:-]{1,64}$/).default('account'),
  /** The scope whose consent releases the field to an app; null: never released as a claim. */
  scope: z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]{1,64}$/).nullable().default('profile'),
  /** The claim name; defaults to the key for standard claims and namespace + key for custom ones. */
  claim: z.string().min(1).max(200).optional(),
  ask: askRuleSchema.default('never'),
  /** Higher first, when more optional fields are due than a visit may ask. */
  priority: z.number().int().min(-1000).max(1000).default(0),
  enabled: z.boolean().default(true),
  validation: z.object({
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).max(2000).optional(),
    pattern: z.string().max(500).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
  }).strict().default({}),
  options: z.array(z.object({ value: z.string().min(1).max(100), label: localized })).optional(),
}).strict().superRefine((field, ctx) => {
  for (const name of [field.key, field.claim]) {
    if (name !== undefined && RESERVED_CLAIMS.has(name)) ctx.addIssue({ code: 'custom', message: 'schema.profile_field.reserved_claim', params: { name } });
  }
  const choice = field.type === 'single_choice' || field.type === 'multi_choice';
  if (choice && !field.options?.length) ctx.addIssue({ code: 'custom', message: 'schema.profile_field.needs_options', params: { key: field.key, type: field.type } });
  if (!choice && field.options) ctx.addIssue({ code: 'custom', message: 'schema.profile_field.no_options', params: { key: field.key } });
  if (field.validation.pattern !== undefined) {
    try {
      new RegExp(field.validation.pattern, 'u');
    } catch {
      ctx.addIssue({ code: 'custom', message: 'schema.profile_field.bad_pattern', params: { key: field.key } });
    }
  }
});

export type ProfileFieldInput = z.input<typeof profileFieldSchema>;
export type ProfileFieldDefinition = z.infer<typeof profileFieldSchema>;
export type AskRule = z.infer<typeof askRuleSchema>;
