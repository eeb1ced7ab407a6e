// Owns reading the query string of the admin API's and pages' lists: `limit` and `cursor` (the one keyset
// cursor of src/paging/), each list's filters checked with zod, and paging a short list held in memory the same
// way a table is paged. A problem is a 400 naming the parameter.
import type { Context } from 'koa';
import { z } from 'zod';
import { CUSTOMER_CURSOR } from '../accounts/customers/directory.ts';
import { AUDIT_CURSOR } from '../events/audit-log.ts';
import { AppError } from '../errors/app-error.ts';
import { describeIssue } from '../i18n/zod.ts';
import { decodeCursor, encodeCursor, type CursorShape, type KeysetCursor } from '../paging/keyset-cursor.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
const MAX_CURSOR = 4200;

const time = z.string().max(40).refine((v) => !Number.isNaN(Date.parse(v)), 'schema.list.time').transform((v) => new Date(v));
const flag = z.enum(['true', 'false'], 'schema.list.flag').transform((v) => v === 'true');
const limitRule = { error: 'schema.list.limit', params: { max: MAX_LIMIT } };
const limit = z.string().refine((v) => /^\d{1,4}$/.test(v), limitRule).transform(Number).refine((n) => n >= 1 && n <= MAX_LIMIT, limitRule);
// Empty fields of a GET form mean "no filter".
const blankIsAbsent = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankIsAbsent, schema.optional());

/** `limit` (1–200, default 50) and `cursor` (the next_cursor of the previous page), in every list's schema. */
export const pagingShape = {
  limit: z.preprocess(blankIsAbsent, limit.optional()).transform((n) => n ?? DEFAULT_LIMIT),
  cursor: optional(z.string().max(MAX_CURSOR, 'schema.list.cursor')),
};

export const customerQuerySchema = z.object({
  q: optional(z.string().max(200)),
  status: optional(z.enum(['lite', 'active', 'restricted', 'disabled', 'erased'], 'schema.one_of')),
  created_from: optional(time), created_to: optional(time),
  last_sign_in_from: optional(time), last_sign_in_to: optional(time),
  has_mfa: optional(flag), has_passkey: optional(flag),
  ...pagingShape,
});

export const auditQuerySchema = z.object({
  actor: optional(z.string().max(300)),
  target: optional(z.string().max(300)),
  type: optional(z.string().max(100).regex(/^[\w.-]+(\.\*)?$/, 'schema.list.event_type')),
  from: optional(time), to: optional(time),
  ...pagingShape,
});

/** The query string checked with `schema` (a repeated parameter counts once: its first value). */
export function listQuery<T>(ctx: Context, schema: z.ZodType<T>): T {
  const single = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = schema.safeParse(single);
  if (!parsed.success) {
    throw new AppError('request.invalid', describeIssue(parsed.error.issues[0]!, 'query'), 400);
  }
  return parsed.data;
}

/** The cursor a list gave, decoded; a 400 for anything else. */
export function cursorParam(value: string | undefined, shape: CursorShape): KeysetCursor | undefined {
  if (value === undefined || value === '') return undefined;
  const cursor = decodeCursor(value, shape);
  if (!cursor) throw new AppError('request.invalid', 'cursor: not a cursor this list gave (use the next_cursor of the previous page)', 400);
  return cursor;
}

export function customerFilterOf(query: z.infer<typeof customerQuerySchema>) {
  return {
    filter: {
      q: query.q, status: query.status, createdFrom: query.created_from, createdTo: query.created_to,
      lastSignInFrom: query.last_sign_in_from, lastSignInTo: query.last_sign_in_to, hasMfa: query.has_mfa, hasPasskey: query.has_passkey,
    },
    page: { limit: query.limit, cursor: cursorParam(query.cursor, CUSTOMER_CURSOR) },
  };
}

export function auditFilterOf(query: z.infer<typeof auditQuerySchema>) {
  return { filter: { actor: query.actor, target: query.target, type: query.type, from: query.from, to: query.to }, page: { limit: query.limit, cursor: cursorParam(query.cursor, AUDIT_CURSOR) } };
}

/** A cursor over a list held in memory: any sort key and id a list item can have. */
const IN_MEMORY_CURSOR: CursorShape = { key: /^[^\0]{0,2000}$/, id: /^[^\0]{1,2000}$/ };
const compareKeys = (a: KeysetCursor, b: KeysetCursor) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One page of a short list (clients, resources, profile fields, …) read whole from its table: ordered by
 * `keyOf` (a sort key, then the id; `descending` for newest first), continuing after the cursor's item — the
 * same keyset rule as a table's pages, so an item added or removed meanwhile shifts nothing.
 */
export function pageOfList<T>(items: T[], keyOf: (item: T) => KeysetCursor, page: { limit: number; cursor?: string | undefined }, order: 'ascending' | 'descending' = 'ascending'): { items: T[]; next_cursor: string | null } {
  const after = cursorParam(page.cursor, IN_MEMORY_CURSOR);
  const sign = order === 'descending' ? -1 : 1;
  const keyed = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => sign * compareKeys(a.key, b.key));
  const rest = after ? keyed.filter((k) => sign * compareKeys(k.key, after) > 0) : keyed;
  const shown = rest.slice(0, page.limit);
  const last = shown.at(-1);
  return { items: shown.map((k) => k.item), next_cursor: rest.length > page.limit && last ? encodeCursor(last.key) : null };
}

/** A list filter: a substring to find (case-insensitive), a true/false flag, or one of some values. */
export const filters = {
  text: (description: string) => ({ schema: optional(z.string().max(200)), openapi: { schema: { type: 'string' }, description } }),
  flag: (description: string) => ({ schema: optional(flag), openapi: { schema: { type: 'boolean' }, description } }),
  oneOf: <V extends string>(values: readonly [V, ...V[]], description: string) => ({
    schema: optional(z.enum(values, 'schema.one_of')), openapi: { schema: { enum: [...values] }, description },
  }),
};

type Filter = { schema: z.ZodType; openapi: { schema: unknown; description: string } };

/**
 * A list's query: its filters plus limit and cursor, as the zod schema that checks them and the OpenAPI
 * parameters that describe them (one definition, so the document cannot drift from what is accepted).
 */
export function listSpec<F extends Record<string, Filter>>(shape: F) {
  const schema = z.object({ ...Object.fromEntries(Object.entries(shape).map(([name, f]) => [name, f.schema])) as { [K in keyof F]: F[K]['schema'] }, ...pagingShape });
  const parameters = [
    ...Object.entries(shape).map(([name, f]) => ({ name, in: 'query', required: false, ...f.openapi })),
    ...pagingParameters,
  ];
  return { schema, parameters, read: (ctx: Context) => listQuery(ctx, schema) };
}

/** The OpenAPI parameters of paging, for every list. */
export const pagingParameters = [
  { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT }, description: 'Page size' },
  { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'The next_cursor of the previous page (absent: the first page)' },
];

/** True when `value` contains `needle` ignoring case (a missing needle matches everything). */
export const matches = (needle: string | undefined, ...values: (string | null | undefined)[]) => !needle || values.some((v) => v?.toLowerCase().includes(needle.toLowerCase()));
