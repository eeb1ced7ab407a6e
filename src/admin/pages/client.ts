// Owns the admin pages' registration as a client of Foyer itself (see ownPagesClientInput: public,
// first-party, auth_time always). The server ensures it at every start, in production too.
import { ownPagesClientInput } from '../../http/own-client.ts';
import type { ClientInput } from '../../oidc/clients.ts';

export const ADMIN_CLIENT_ID = 'foyer-admin';
export const ADMIN_PAGES_SCOPE = 'openid email';
/** The step-up value the admin pages ask for (and check) when a second factor is required. */
export const SECOND_FACTOR_ACR = 'urn:foyer:acr:2fa';

export const adminRedirectUri = (issuer: string) => `${issuer}/admin/callback`;

export function adminClientInput(issuer: string, brandName: string): ClientInput {
  return ownPagesClientInput({ issuer, clientId: ADMIN_CLIENT_ID, name: `${brandName} administration`, path: '/admin', scope: ADMIN_PAGES_SCOPE });
}
