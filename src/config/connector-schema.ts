// Owns the shape of one social-login connector: the config file's `connectors` entries and the admin API's
// connector bodies are checked with these same schemas. Must not import anything from Foyer.
import { z } from 'zod';

export const CONNECTOR_KIND_NAMES = ['oidc', 'oauth2', 'google', 'microsoft', 'apple', 'facebook', 'github'] as const;
const IMPORTABLE = ['name', 'given_name', 'family_name', 'nickname', 'picture', 'birthdate', 'locale', 'zoneinfo'] as const;

export const connectorIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'schema.connector.id')
  .refine((id) => !['link', 'continue', 'email', 'import'].includes(id), 'schema.connector.reserved');

/** What may change on a connector: everything but its id and kind (secrets included). */
export const connectorSettingsSchema = z.object({
  name: z.string().min(1).max(60).optional(),
  issuer: z.url().optional(),
  authorizationEndpoint: z.url().optional(),
  tokenEndpoint: z.url().optional(),
  userinfoEndpoint: z.url().optional(),
  clientId: z.string().min(1).max(500),
  clientSecret: z.string().min(1).max(2000).optional(),
  scopes: z.array(z.string().regex(/^[\x21-\x7e]+$/).max(200)).min(1).max(50).optional(),
  mapping: z.object({
    subject: z.string().max(200).optional(),
    email: z.string().max(200).optional(),
    emailVerified: z.union([z.string().max(200), z.boolean()]).optional(),
    profile: z.partialRecord(z.enum(IMPORTABLE), z.string().max(200)).optional(),
  }).optional(),
  pkce: z.boolean().optional(),
  clientAuth: z.enum(['basic', 'post']).optional(),
  responseMode: z.literal('form_post').optional(),
  tenant: z.string().regex(/^[\w.-]{1,100}$/).optional(),
  teamId: z.string().min(1).max(200).optional(),
  keyId: z.string().min(1).max(200).optional(),
  privateKey: z.string().min(1).max(10_000).optional(),
  enabled: z.boolean().default(true),
});

type ConnectorShape = z.infer<typeof connectorSettingsSchema> & { kind: (typeof CONNECTOR_KIND_NAMES)[number] };

/** What each kind needs beyond the client id (the presets fill in the rest). */
export function requireKindSettings(c: Partial<ConnectorShape> & { kind: ConnectorShape['kind'] }, ctx: z.RefinementCtx): void {
  const missing = (key: string) => ctx.addIssue({ code: 'custom', path: [key], message: 'schema.connector.required_for_kind', params: { kind: c.kind } });
  if (c.kind === 'oidc' && !c.issuer) missing('issuer');
  if (c.kind === 'oauth2') for (const key of ['authorizationEndpoint', 'tokenEndpoint', 'userinfoEndpoint'] as const) if (!c[key]) missing(key);
  if (c.kind === 'apple') for (const key of ['teamId', 'keyId', 'privateKey'] as const) if (!c[key]) missing(key);
}

/** A whole connector: a config file entry, or the body that creates one through the admin API. */
export const connectorSchema = connectorSettingsSchema.extend({ id: connectorIdSchema, kind: z.enum(CONNECTOR_KIND_NAMES) }).superRefine(requireKindSettings);

/** A change (only what is sent changes); the secrets change through their own rotation request. */
export const connectorChangeSchema = connectorSettingsSchema.omit({ clientSecret: true, privateKey: true, enabled: true }).partial().strict()
  .refine((c) => Object.keys(c).length > 0, 'schema.change.empty');

/** A new client secret (or Apple private key) given by the upstream: the old one is forgotten at once. */
export const connectorSecretSchema = z.object({ clientSecret: z.string().min(1).max(2000).optional(), privateKey: z.string().min(1).max(10_000).optional() }).strict()
  .refine((s) => s.clientSecret !== undefined || s.privateKey !== undefined, 'schema.connector.secret');
