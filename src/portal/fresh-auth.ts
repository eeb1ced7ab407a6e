// Owns the fresh-authentication rule for destructive actions: the last sign-in must be at most
// maxAgeSeconds old (5 minutes by default). Pages go through a new sign-in and come back; the API answers 401.
import type { Context, Middleware, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';
import type { Csrf } from '../http/csrf.ts';
import { sectionRoot } from './session.ts';
import { accountToken, FRESH_AUTH_SECONDS, portalState } from './types.ts';

export const isFresh = (authTime: Date | undefined, maxAgeSeconds: number) =>
  authTime !== undefined && Date.now() - authTime.getTime() <= maxAgeSeconds * 1000;

/**
 * For page routes behind requirePortalSession. A form post's CSRF token is checked first (403 before any
 * redirect); a POST returns to its section's page after the sign-in.
 */
export const createRequireFreshAuth = (csrf: Csrf) => function requireFreshAuth(maxAgeSeconds = FRESH_AUTH_SECONDS): Middleware {
  return async (ctx: Context, next: Next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') csrf.verifiedForm(ctx);
    if (isFresh(portalState(ctx).session.authTime, maxAgeSeconds)) return next();
    const returnTo = ctx.method === 'GET' ? ctx.originalUrl : sectionRoot(ctx.path);
    ctx.redirect(`/account/login?max_age=${maxAgeSeconds}&return_to=${encodeURIComponent(returnTo)}`);
    ctx.status = 303;
  };
};

/** For Account API routes behind requireAccountToken (RFC 9470's step-up hint in WWW-Authenticate). */
export function requireFreshApiAuth(maxAgeSeconds = FRESH_AUTH_SECONDS): Middleware {
  return async (ctx: Context, next: Next) => {
    if (isFresh(accountToken(ctx).authTime, maxAgeSeconds)) return next();
    ctx.set('WWW-Authenticate', `Bearer error="insufficient_user_authentication", error_description="A more recent authentication is required", max_age=${maxAgeSeconds}`);
    throw new AppError('reauthentication_required', `This change needs a sign-in from the last ${Math.round(maxAgeSeconds / 60)} minutes. Ask the customer to sign in again (prompt=login, max_age=${maxAgeSeconds}) and retry with the new access token.`, 401);
  };
}
