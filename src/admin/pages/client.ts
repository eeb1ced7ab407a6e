// Owns the admin pages' registration as a client of Foyer itself: public (PKCE), first-party (no consent
// page), ID tokens always with auth_time. The server ensures it at every start, in production too.
import type { ClientInput } from '../../oidc/clients.ts';

export const ADMIN_CLIENT_ID = 'foyer-admin';
export const ADMIN_PAGES_SCOPE = 'openid email';
/** The step-up value the admin pages ask for (and check) when a second factor is required. */
export const SECOND_FACTOR_ACR = 'urn:foyer:acr:2fa';

export const adminRedirectUri = (issuer: string) => `${issuer}/admin/callback`;

export function adminClientInput(issuer: string, brandName: string): ClientInput {
  return {
    clientId: ADMIN_CLIENT_ID,
    name: `${brandName} administration`,
    public: true,
    firstParty: true,
    redirectUris: [adminRedirectUri(issuer)],
    postLogoutRedirectUris: [`${issuer}/admin/signed-out`],
    grantTypes: ['authorization_code'],
    scope: ADMIN_PAGES_SCOPE,
    requireAuthTime: true,
  };
}
