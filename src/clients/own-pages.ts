// Owns the registrations of Foyer's own pages as clients of this Foyer (the account pages, the admin pages):
// public, first-party, auth_time always. The server ensures them at every start, in production too.
import type { ClientInput } from './input.ts';

export const PORTAL_CLIENT_ID = 'foyer-account';
export const PORTAL_SCOPE = 'openid email profile';
export const portalRedirectUri = (issuer: string) => `${issuer}/account/callback`;

export const ADMIN_CLIENT_ID = 'foyer-admin';
export const ADMIN_PAGES_SCOPE = 'openid email';
export const adminRedirectUri = (issuer: string) => `${issuer}/admin/callback`;

/**
 * Foyer's own pages under `path` (e.g. /account) as a client: public (PKCE), first-party (no consent page),
 * ID tokens always with auth_time, redirect `<issuer><path>/callback`. The server ensures it at every start.
 */
export function ownPagesClientInput(input: { issuer: string; clientId: string; name: string; path: string; scope: string }): ClientInput {
  return {
    clientId: input.clientId,
    name: input.name,
    public: true,
    firstParty: true,
    redirectUris: [`${input.issuer}${input.path}/callback`],
    postLogoutRedirectUris: [`${input.issuer}${input.path}/signed-out`],
    grantTypes: ['authorization_code'],
    scope: input.scope,
    requireAuthTime: true,
  };
}

export function portalClientInput(issuer: string, brandName: string): ClientInput {
  return ownPagesClientInput({ issuer, clientId: PORTAL_CLIENT_ID, name: `${brandName} account`, path: '/account', scope: PORTAL_SCOPE });
}

export function adminClientInput(issuer: string, brandName: string): ClientInput {
  return ownPagesClientInput({ issuer, clientId: ADMIN_CLIENT_ID, name: `${brandName} administration`, path: '/admin', scope: ADMIN_PAGES_SCOPE });
}
