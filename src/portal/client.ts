// Owns the account portal's registration as a client of Foyer itself: public (PKCE), first-party (no
// consent page), ID tokens always with auth_time. The server ensures it at every start, in production too.
import type { ClientInput } from '../oidc/clients.ts';

export const PORTAL_CLIENT_ID = 'foyer-account';
export const PORTAL_SCOPE = 'openid email profile';

export const portalRedirectUri = (issuer: string) => `${issuer}/account/callback`;

export function portalClientInput(issuer: string, brandName: string): ClientInput {
  return {
    clientId: PORTAL_CLIENT_ID,
    name: `${brandName} account`,
    public: true,
    firstParty: true,
    redirectUris: [portalRedirectUri(issuer)],
    postLogoutRedirectUris: [`${issuer}/account/signed-out`],
    grantTypes: ['authorization_code'],
    scope: PORTAL_SCOPE,
    requireAuthTime: true,
  };
}
