// Owns reading a JSON API body (the Account API, the admin API): the raw body checked input already took,
// parsed and checked with a zod schema; problems are 4xx AppErrors with a message a person understands.
import type { Context } from 'koa';
import type { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { describeIssue } from '../i18n/zod.ts';

/** A JSON body checked with `schema`; 415 for another type, 400 with the first problem otherwise. */
export function jsonBody<T>(ctx: Context, schema: z.ZodType<T>): T {
  if (!ctx.is('application/json')) throw new AppError('request.unsupported_type', 'Send a JSON body (Content-Type: application/json).', 415);
  let value: unknown;
  try {
    value = JSON.parse(typeof ctx.state.rawBody === 'string' && ctx.state.rawBody ? ctx.state.rawBody : 'null');
  } catch {
    throw new AppError('request.invalid_json', 'The body is not valid JSON.', 400);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('request.invalid', describeIssue(parsed.error.issues[0]!), 400);
  }
  return parsed.data;
}
