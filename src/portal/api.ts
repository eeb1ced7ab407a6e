// Owns the Account API's edge (/account/api): CORS for the origins of clients allowed the `account` scope,
// bearer tokens verified through the protocol port (never cookies), and JSON bodies checked with zod.
import type { Context, Next } from 'koa';
import { requireBearer, type BearerRule } from '../http/bearer.ts';
import type { AccountToken } from '../oidc/account-tokens.ts';
import { ACCOUNT_SCOPE } from '../security/api-tokens.ts';
import type { PortalDeps } from './types.ts';

export const API_PREFIX = '/account/api';
const ORIGINS_CACHE_MS = 5000;
const isApiPath = (path: string) => path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);

/** CORS on every /account/api answer (errors included, so a browser app can read them), and preflights. */
export function createAccountApiCors(deps: Pick<PortalDeps, 'services'>) {
  let cached: { at: number; origins: Promise<string[]> } | undefined;
  const allowedOrigins = () => {
    if (!cached || Date.now() - cached.at > ORIGINS_CACHE_MS) {
      cached = { at: Date.now(), origins: deps.services.clients.listRedirectOriginsOfClientsWithScope(ACCOUNT_SCOPE) };
    }
    return cached.origins;
  };
  return async function accountApiCors(ctx: Context, next: Next): Promise<void> {
    if (!isApiPath(ctx.path)) return next();
    const origin = ctx.get('origin');
    ctx.vary('Origin');
    const allowed = Boolean(origin) && (await allowedOrigins()).includes(origin);
    if (allowed) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate');
    }
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      if (allowed) {
        ctx.set('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
        ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
        ctx.set('Access-Control-Max-Age', '600');
      }
      ctx.status = 204;
      return;
    }
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}

/** Bearer token with the `account` scope, from a client registered with it; sets ctx.state.accountToken. */
export function createRequireAccountToken(deps: Pick<PortalDeps, 'accountTokens'>) {
  const rule: BearerRule<AccountToken> = {
    scope: ACCOUNT_SCOPE,
    async verify(presented) {
      const verdict = await deps.accountTokens.verifyAccountAccessToken(presented);
      if (verdict.status !== 'ok') return verdict;
      const { status: _status, ...token } = verdict;
      return { status: 'ok', token };
    },
    messages: {
      missing: 'Send an access token with the account scope in the Authorization header (Bearer).',
      invalid: 'The access token is invalid, expired or revoked.',
      insufficientScope: () => `This access token does not carry the "${ACCOUNT_SCOPE}" scope, or its client is not allowed it.`,
    },
  };
  return async function requireAccountToken(ctx: Context, next: Next): Promise<void> {
    ctx.state.accountToken = await requireBearer(ctx, rule);
    await next();
  };
}
