// Owns reading a consent-vault question from a query string (the admin API and the admin pages ask alike):
// who (email or sub), what (purpose, document and version, app, kind), which action, when, and the page.
// Problems are 400s naming the parameter; an unknown customer is a filter that matches nothing.
import { z } from 'zod';
import type { Context } from 'koa';
import { VAULT_CURSOR, type VaultCursor, type VaultFilter } from '../consent/vault.ts';
import { cursorParam, pagingShape } from './list-query.ts';
import { AppError } from '../errors/app-error.ts';
import type { Services } from '../compose.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID = z.string().trim().regex(/^[\w.:-]{1,200}$/, 'letters, digits, . _ : - (at most 200)');
const date = z.string().trim().refine((v) => !Number.isNaN(Date.parse(v)), 'a date or date-time (ISO 8601, e.g. 2026-12-01 or 2026-12-01T10:00:00Z)').transform((v) => new Date(v));
const empty = (v: unknown) => (v === '' ? undefined : v);

export const vaultQuerySchema = z.object({
  customer: z.preprocess(empty, z.string().trim().max(320, 'at most 320 characters').optional()),
  kind: z.preprocess(empty, z.enum(['document', 'client_scopes', 'purpose', 'preference'], 'one of document, client_scopes, purpose, preference').optional()),
  purpose: z.preprocess(empty, ID.optional()),
  document: z.preprocess(empty, ID.optional()),
  version: z.preprocess(empty, ID.optional()),
  client: z.preprocess(empty, ID.optional()),
  action: z.preprocess(empty, z.enum(['grant', 'withdraw'], 'grant or withdraw').optional()),
  from: z.preprocess(empty, date.optional()),
  to: z.preprocess(empty, date.optional()),
  ...pagingShape,
}).refine((q) => [q.purpose, q.document, q.client].filter(Boolean).length <= 1, { message: 'give one of purpose, document and client', path: ['purpose'] })
  .refine((q) => !q.version || q.document, { message: 'version needs document', path: ['version'] });

export type VaultQuery = z.infer<typeof vaultQuerySchema>;

/** The query string checked; a 400 naming the first problem otherwise. */
export function readVaultQuery(ctx: Context): VaultQuery {
  const raw = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = vaultQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('vault.invalid_query', `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`, 400);
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
