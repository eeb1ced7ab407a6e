// Owns the account portal's registration as a client of Foyer itself (see ownPagesClientInput: public,
// first-party, auth_time always). The server ensures it at every start, in production too.
import { ownPagesClientInput } from '../http/own-client.ts';
import type { ClientInput } from '../oidc/clients.ts';

export const PORTAL_CLIENT_ID = 'foyer-account';
export const PORTAL_SCOPE = 'openid email profile';

export const portalRedirectUri = (issuer: string) => `${issuer}/account/callback`;

export function portalClientInput(issuer: string, brandName: string): ClientInput {
  return ownPagesClientInput({ issuer, clientId: PORTAL_CLIENT_ID, name: `${brandName} account`, path: '/account', scope: PORTAL_SCOPE });
}
