// Owns reading a consent-vault question from a query string (the admin API and the admin pages ask alike):
// who (email or sub), what (purpose, document and version, app, kind), which action, when, and the page.
// Problems are 400s naming the parameter; an unknown customer is a filter that matches nothing.
import { z } from 'zod';
import type { Context } from 'koa';
import { VAULT_CURSOR, type VaultCursor, type VaultFilter } from '../consent/vault.ts';
import { cursorParam, pagingShape } from './list-query.ts';
import { AppError } from '../errors/app-error.ts';
import { describeIssue } from '../i18n/zod.ts';
import type { Services } from '../compose.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = z.string().trim().regex(/^[\w.:-]{1,200}$/, 'schema.vault.id');
const date = z.string().trim().refine((v) => !Number.isNaN(Date.parse(v)), 'schema.vault.date').transform((v) => new Date(v));
const empty = (v: unknown) => (v === '' ? undefined : v);

export const vaultQuerySchema = z.object({
  customer: z.preprocess(empty, z.string().trim().max(320, 'schema.text.at_most').optional()),
  kind: z.preprocess(empty, z.enum(['document', 'client_scopes', 'purpose', 'preference', 'brand_sharing'], 'schema.one_of').optional()),
  purpose: z.preprocess(empty, ID.optional()),
  document: z.preprocess(empty, ID.optional()),
  version: z.preprocess(empty, ID.optional()),
  client: z.preprocess(empty, ID.optional()),
  action: z.preprocess(empty, z.enum(['grant', 'withdraw'], 'schema.one_of').optional()),
  from: z.preprocess(empty, date.optional()),
  to: z.preprocess(empty, date.optional()),
  ...pagingShape,
}).refine((q) => [q.purpose, q.document, q.client].filter(Boolean).length <= 1, { error: 'schema.vault.one_subject', path: ['purpose'] })
  .refine((q) => !q.version || q.document, { error: 'schema.vault.version_needs_document', path: ['version'] });

export type VaultQuery = z.infer<typeof vaultQuerySchema>;

/** The query string checked; a 400 naming the first problem otherwise. */
export function readVaultQuery(ctx: Context): VaultQuery {
  const raw = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = vaultQuerySchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('vault.invalid_query', describeIssue(parsed.error.issues[0]!, 'query'), 400);
  }
  return parsed.data;
}

/** The customer a query names (an email address or a sub): its account id, or null when there is none. */
export async function resolveCustomer(services: Pick<Services, 'accounts'>, customer: string | undefined): Promise<string | null | undefined> {
  if (!customer) return undefined;
  const account = UUID.test(customer) ? await services.accounts.findAccountById(customer) : await services.accounts.findAccountByEmail(customer);
  return account?.id ?? null;
}

/** The vault filter of a query whose customer is resolved (undefined: the customer does not exist). */
export function vaultFilterOf(query: VaultQuery, accountId: string | undefined): VaultFilter {
  const subject = query.purpose ?? query.document ?? query.client;
  const kind = query.purpose ? 'purpose' : query.document ? 'document' : query.client ? 'client_scopes' : query.kind;
  return { accountId, kind, subject, version: query.version, action: query.action, from: query.from, to: query.to };
}

export { encodeCursor } from '../paging/keyset-cursor.ts';

/** The page a query's cursor continues after (a 400 for a cursor the vault never gave). */
export const decodeCursor = (value: string | undefined): VaultCursor | undefined => cursorParam(value, VAULT_CURSOR);
