// Owns the Account API's side of the protocol: the `account` scope, the auth_time its access tokens carry,
// and verifying such a token for /account/api (the portal never imports oidc-provider; it calls this port).
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { isDatabaseUnavailable } from '../errors/database-unavailable.ts';

import { ACCOUNT_SCOPE } from '../security/api-tokens.ts';

export interface AccountToken {
  accountId: string;
  clientId: string;
  scopes: string[];
  /** When the customer last authenticated for this token's sign-in; undefined when unknown. */
  authTime: Date | undefined;
  /** The OIDC session the token was issued under, when it was (its browser is "this session"). */
  sessionUid: string | undefined;
}

export type AccountTokenVerdict =
  | ({ status: 'ok' } & AccountToken)
  | { status: 'invalid' }
  | { status: 'insufficient_scope'; clientId: string };

export interface AccountTokenPort {
  verifyAccountAccessToken(token: string): Promise<AccountTokenVerdict>;
  /** The OIDC session (uid) and per-client sid an access token was issued under, for the portal's own sign-in. */
  describeAccessToken(token: string): Promise<{ accountId: string; clientId: string; sessionUid?: string; sid?: string } | undefined>;
}

const scopesOf = (value: unknown) => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

/**
 * extraTokenClaims: an opaque access token carrying `account` remembers when its sign-in authenticated
 * (from the code or refresh token it was exchanged for), so destructive Account API calls can ask for a fresh one.
 */
export async function accountTokenClaims(ctx: KoaContextWithOIDC | undefined, token: { kind: string; scope?: string | undefined }): Promise<Record<string, unknown> | undefined> {
  if (token.kind !== 'AccessToken' || !scopesOf(token.scope).includes(ACCOUNT_SCOPE)) return undefined;
  const entities = ctx?.oidc?.entities as { AuthorizationCode?: { authTime?: number }; RefreshToken?: { authTime?: number } } | undefined;
  const authTime = entities?.AuthorizationCode?.authTime ?? entities?.RefreshToken?.authTime;
  return typeof authTime === 'number' ? { auth_time: authTime } : undefined;
}

export function createAccountTokenPort(provider: () => Provider): AccountTokenPort {
  const findToken = async (token: string) => {
    if (!/^[\w-]{20,200}$/.test(token)) return undefined;
    try {
      return await provider().AccessToken.find(token);
    } catch (error) {
      // An unreachable database is no verdict on the token: the caller answers 503, never "invalid".
      if (isDatabaseUnavailable(error)) throw error;
      return undefined;
    }
  };
  return {
    async verifyAccountAccessToken(token) {
      const found = await findToken(token);
      if (!found?.accountId || !found.clientId || found.isExpired) return { status: 'invalid' };
      const scopes = scopesOf(found.scope);
      // Both the token and the client's registration must carry the scope: a client whose registration
      // was narrowed since keeps no access through tokens issued before.
      const client = await provider().Client.find(found.clientId);
      if (!client) return { status: 'invalid' };
      if (!scopes.includes(ACCOUNT_SCOPE) || !scopesOf(client.scope).includes(ACCOUNT_SCOPE)) return { status: 'insufficient_scope', clientId: found.clientId };
      const authTime = (found.extra as { auth_time?: unknown } | undefined)?.auth_time;
      return {
        status: 'ok', accountId: found.accountId, clientId: found.clientId, scopes,
        authTime: typeof authTime === 'number' ? new Date(authTime * 1000) : undefined,
        sessionUid: found.sessionUid,
      };
    },
    async describeAccessToken(token) {
      const found = await findToken(token);
      if (!found?.accountId || !found.clientId) return undefined;
      return {
        accountId: found.accountId, clientId: found.clientId,
        ...(found.sessionUid ? { sessionUid: found.sessionUid } : {}), ...(found.sid ? { sid: found.sid } : {}),
      };
    },
  };
}
