// Owns the one rule of every bearer-token check (RFC 6750): no token or an invalid one → 401
// `invalid_token`; a valid token without the scope the route needs → 403 `insufficient_scope`; both with a
// WWW-Authenticate challenge. A store that cannot be reached is neither: the check throws, and the error
// handler answers 503 (a valid token is never called invalid because of an outage).
import type { Context } from 'koa';
import { AppError } from '../errors/app-error.ts';

/** What a token check found: a token good for the route, a token that is not one, or one lacking the scope. */
export type BearerVerdict<T> =
  | { status: 'ok'; token: T }
  | { status: 'invalid' }
  | { status: 'insufficient_scope'; clientId?: string };

export interface BearerRule<T> {
  /** The scope the route needs (named in the challenge). */
  scope: string;
  /** Checks a presented token; throws only when the check itself could not be made (e.g. the database is down). */
  verify(token: string): Promise<BearerVerdict<T>>;
  /** Messages for people (the JSON body's `message`). */
  messages: { missing: string; invalid: string; insufficientScope: (clientId: string | undefined) => string };
}

// RFC 6750's b64token: the only characters a bearer token may have.
const BEARER = /^Bearer ([\w\-.~+/]+=*)$/i;

/** The bearer token of the request, or undefined when there is none (or it is not shaped like one). */
export function bearerTokenOf(ctx: Context): string | undefined {
  return BEARER.exec(ctx.get('authorization'))?.[1];
}

/** The token's verdict applied to the request: returns the token when it is good for the route, else throws 401 or 403 with a challenge. */
export async function requireBearer<T>(ctx: Context, rule: BearerRule<T>): Promise<T> {
  const presented = bearerTokenOf(ctx);
  if (!presented) {
    // No credentials at all: a bare challenge, no error code (RFC 6750 §3.1).
    ctx.set('WWW-Authenticate', `Bearer scope="${rule.scope}"`);
    throw new AppError('invalid_token', rule.messages.missing, 401);
  }
  const verdict = await rule.verify(presented);
  if (verdict.status === 'ok') return verdict.token;
  if (verdict.status === 'insufficient_scope') {
    ctx.set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${rule.scope}"`);
    throw new AppError('insufficient_scope', rule.messages.insufficientScope(verdict.clientId), 403);
  }
  ctx.set('WWW-Authenticate', `Bearer error="invalid_token", scope="${rule.scope}"`);
  throw new AppError('invalid_token', rule.messages.invalid, 401);
}
