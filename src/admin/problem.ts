// Owns RFC 9457 problem details for every error of the admin API (/admin/api): an AppError (validation, bad
// JSON, 401/403 with their challenge, 404, 409, 413, 415, …), a database that cannot be reached (503 with
// Retry-After), an unknown route (404), a wrong method (405) and anything else (a bug: 500, logged with its stack,
// answered without it) all answer application/problem+json with type, title, status and detail, plus the stable
// `error` code and `message` every admin API error carries.
import { STATUS_CODES } from 'node:http';
import type { Context, Next } from 'koa';
import { isAppError } from '../errors/app-error.ts';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../errors/database-unavailable.ts';
import { loggedPath } from '../http/errors.ts';
import type { Logger } from '../log.ts';

function answer(ctx: Context, status: number, code: string, message: string): void {
  ctx.status = status;
  ctx.type = 'application/problem+json';
  ctx.body = {
    type: `urn:foyer:error:${code}`, title: STATUS_CODES[status] ?? 'Error', status, detail: message,
    instance: ctx.path, error: code, message, request_id: ctx.state.requestId as string | undefined,
  };
}

/** Problem details for every request whose path starts with `prefix`; mount it before the input checks. */
export function problemDetails(prefix: string, log: Logger) {
  return async function problemJson(ctx: Context, next: Next): Promise<void> {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    try {
      await next();
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        log.warn({ requestId: ctx.state.requestId as string | undefined, path: loggedPath(ctx) }, 'database unavailable');
        ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
        ctx.set('Cache-Control', 'no-store');
        return answer(ctx, 503, 'server.unavailable', 'The database cannot be reached just now; nothing was changed. Retry after Retry-After seconds.');
      }
      const httpError = error as { status?: unknown; expose?: unknown; message?: unknown };
      if (isAppError(error) && (error.expose || error.status < 500)) return answer(ctx, error.status, error.code, error.message);
      // koa's own 4xx errors (e.g. ctx.throw from a dependency) keep their status.
      if (!isAppError(error) && typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose === true) {
        return answer(ctx, httpError.status, 'request.invalid', typeof httpError.message === 'string' ? httpError.message : 'Bad request.');
      }
      // A bug: its stack and message go to the log only; the answer names the request so the two can be matched.
      log.error({ err: error, requestId: ctx.state.requestId as string | undefined, path: loggedPath(ctx) }, 'admin API request failed');
      return answer(ctx, 500, 'server.error', 'Something went wrong on our side and has been logged; nothing is known to have changed. Quote the request_id when you report it.');
    }
    if (ctx.body !== undefined && ctx.body !== null) return;
    if (ctx.status === 404) answer(ctx, 404, 'not_found', 'There is no such resource in the admin API (see /admin/api/openapi.json).');
    else if (ctx.status === 405) answer(ctx, 405, 'method_not_allowed', `${ctx.method} is not allowed here; allowed: ${ctx.response.get('Allow') || 'none'}.`);
  };
}

/** The OpenAPI description of a problem+json answer. */
export const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, with Foyer\'s stable error code and message',
  properties: {
    type: { type: 'string', description: 'urn:foyer:error:<error>' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' },
    error: { type: 'string', description: 'A stable code, e.g. customer.not_found, request.invalid or insufficient_scope' }, message: { type: 'string' }, request_id: { type: 'string' },
  },
  required: ['type', 'title', 'status', 'error'],
};
