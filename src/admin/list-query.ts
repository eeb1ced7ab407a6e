// Owns reading the query string of the admin API's and pages' lists: the filters of customers and of the
// audit log, `limit` and `cursor`, checked with zod; a problem is a 400 naming the parameter.
import type { Context } from 'koa';
import { z } from 'zod';
import { decodeCursor } from '../accounts/customers/directory.ts';
import { decodeAuditCursor } from '../events/audit-log.ts';
import { AppError } from '../errors/app-error.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

const time = z.string().max(40).refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO date or date and time, e.g. 2026-12-01 or 2026-12-01T08:00:00Z').transform((v) => new Date(v));
const flag = z.enum(['true', 'false'], { message: 'true or false' }).transform((v) => v === 'true');
const limit = z.string().regex(/^\d{1,4}$/, `a whole number from 1 to ${MAX_LIMIT}`).transform(Number).refine((n) => n >= 1 && n <= MAX_LIMIT, `a whole number from 1 to ${MAX_LIMIT}`);
// Empty fields of a GET form mean "no filter".
const blankIsAbsent = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankIsAbsent, schema.optional());

export const customerQuerySchema = z.object({
  q: optional(z.string().max(200)),
  status: optional(z.enum(['lite', 'active', 'restricted', 'disabled', 'erased'], { message: 'one of lite, active, restricted, disabled, erased' })),
  created_from: optional(time), created_to: optional(time),
  last_sign_in_from: optional(time), last_sign_in_to: optional(time),
  has_mfa: optional(flag), has_passkey: optional(flag),
  limit: optional(limit), cursor: optional(z.string().max(300)),
});

export const auditQuerySchema = z.object({
  actor: optional(z.string().max(300)),
  target: optional(z.string().max(300)),
  type: optional(z.string().max(100).regex(/^[\w.-]+(\.\*)?$/, 'an event type such as account.disabled, or a prefix such as account.*')),
  from: optional(time), to: optional(time),
  limit: optional(limit), cursor: optional(z.string().max(300)),
});

/** The query string checked with `schema` (a repeated parameter counts once: its first value). */
export function listQuery<T>(ctx: Context, schema: z.ZodType<T>): T {
  const single = Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = schema.safeParse(single);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('request.invalid', `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`, 400);
  }
  return parsed.data;
}

const badCursor = () => new AppError('request.invalid', 'cursor: not a cursor this list gave (use the "next" of the previous page)', 400);

export function customerFilterOf(query: z.infer<typeof customerQuerySchema>) {
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (query.cursor !== undefined && !cursor) throw badCursor();
  return {
    filter: {
      q: query.q, status: query.status, createdFrom: query.created_from, createdTo: query.created_to,
      lastSignInFrom: query.last_sign_in_from, lastSignInTo: query.last_sign_in_to, hasMfa: query.has_mfa, hasPasskey: query.has_passkey,
    },
    page: { limit: query.limit ?? DEFAULT_LIMIT, cursor },
  };
}

export function auditFilterOf(query: z.infer<typeof auditQuerySchema>) {
  const cursor = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
  if (query.cursor !== undefined && !cursor) throw badCursor();
  return { filter: { actor: query.actor, target: query.target, type: query.type, from: query.from, to: query.to }, page: { limit: query.limit ?? DEFAULT_LIMIT, cursor } };
}
