// Owns RFC 9457 problem details for the admin API's routes that answer with them (customers, audit): an
// AppError becomes application/problem+json with type, title, status and detail, plus the stable `error`
// code and `message` every admin API error carries. Anything else goes on to the app's error handler.
import { STATUS_CODES } from 'node:http';
import type { Context, Next } from 'koa';
import { isAppError } from '../errors/app-error.ts';

/** Problem details for requests whose path (under /admin/api) starts with one of `prefixes`. */
export function problemDetails(prefixes: string[]) {
  return async function problemJson(ctx: Context, next: Next): Promise<void> {
    const path = ctx.path.replace(/^\/admin\/api/, '');
    if (!prefixes.some((p) => path === p || path.startsWith(`${p}/`))) return next();
    try {
      await next();
    } catch (error) {
      if (!isAppError(error) || (!error.expose && error.status >= 500)) throw error;
      ctx.status = error.status;
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: `urn:foyer:error:${error.code}`, title: STATUS_CODES[error.status] ?? 'Error', status: error.status, detail: error.message,
        instance: ctx.path, error: error.code, message: error.message, request_id: ctx.state.requestId as string | undefined,
      };
    }
  };
}

/** The OpenAPI description of a problem+json answer. */
export const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });

export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details, with Foyer\'s stable error code and message',
  properties: {
    type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, instance: { type: 'string' },
    error: { type: 'string', description: 'A stable code, e.g. customer.not_found or insufficient_scope' }, message: { type: 'string' }, request_id: { type: 'string' },
  },
  required: ['type', 'title', 'status', 'error'],
};
