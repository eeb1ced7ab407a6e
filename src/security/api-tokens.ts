// Owns the access tokens of Foyer's own APIs and their scope names: client-credentials ES256 JWTs whose audience is the API's
// resource (<issuer>/api/capture for lite sign-up, <issuer>/admin/api for the admin API) and whose scope
// carries the API's scope, checked with jose.
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';

export const CAPTURE_SCOPE = 'capture';
/** The scope a client must be registered with (its `scope` lists it) to call the Account API for a customer. */
export const ACCOUNT_SCOPE = 'account';
export const captureResourceOf = (issuer: string) => `${issuer}/api/capture`;
export const ADMIN_SCOPE = 'admin';
/** Reads the admin API (every GET), never changes anything. */
export const ADMIN_READ_SCOPE = 'admin:read';
export const adminResourceOf = (issuer: string) => `${issuer}/admin/api`;

/** Foyer's own resources and the scopes each grants; getResourceServerInfo offers them beside the admin's. */
export const builtInResources = (issuer: string): Map<string, string[]> => new Map([[captureResourceOf(issuer), [CAPTURE_SCOPE]], [adminResourceOf(issuer), [ADMIN_SCOPE, ADMIN_READ_SCOPE]]]);

export interface ApiTokenDeps {
  issuer: string;
  publicKeys(): Promise<JWK[]>;
}

/** The API scopes a client is registered with now (undefined: no such client), so a narrowed client keeps no access through older tokens. */
export type RegisteredScopes = (clientId: string) => Promise<string[] | undefined>;

/** RegisteredScopes read from the client store's metadata (`foyer_api_scopes`). */
export const registeredApiScopes = (clients: { findClientMetadata(clientId: string): Promise<unknown> }): RegisteredScopes => async (clientId) => {
  const metadata = await clients.findClientMetadata(clientId) as { foyer_api_scopes?: unknown } | undefined;
  if (!metadata) return undefined;
  return Array.isArray(metadata.foyer_api_scopes) ? metadata.foyer_api_scopes.map(String) : [];
};

export type ApiTokenVerdict =
  | { status: 'ok'; token: { clientId: string; scopes: string[] } }
  | { status: 'invalid' }
  | { status: 'insufficient_scope'; clientId: string };

/**
 * A bearer token for one of Foyer's own APIs: `invalid` unless it is a live ES256 JWT of this issuer for
 * `resource`; `insufficient_scope` when it lacks `scope` (or each of a list of scopes that would do) or its
 * client is no longer registered with it.
 * Reading the keys or the registration may throw (database unreachable): that is no verdict on the token.
 */
export async function verifyApiToken(token: string, deps: ApiTokenDeps, resource: string, scope: string | string[], registered: RegisteredScopes): Promise<ApiTokenVerdict> {
  if (token.length > 8192 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return { status: 'invalid' };
  const keys = createLocalJWKSet({ keys: await deps.publicKeys() });
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keys, { issuer: deps.issuer, audience: resource, algorithms: ['ES256'], typ: 'at+jwt' }));
  } catch {
    return { status: 'invalid' };
  }
  const clientId = payload.client_id;
  if (typeof clientId !== 'string') return { status: 'invalid' };
  const registration = await registered(clientId);
  if (!registration) return { status: 'invalid' };
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  const enough = [scope].flat().filter((s) => scopes.includes(s) && registration.includes(s));
  if (enough.length === 0) return { status: 'insufficient_scope', clientId };
  return { status: 'ok', token: { clientId, scopes: scopes.filter((s) => registration.includes(s)) } };
}

export const verifyCaptureToken = (token: string, deps: ApiTokenDeps, registered: RegisteredScopes) => verifyApiToken(token, deps, captureResourceOf(deps.issuer), CAPTURE_SCOPE, registered);
