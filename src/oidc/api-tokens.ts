// Owns the access tokens of Foyer's own APIs: client-credentials ES256 JWTs whose audience is the API's
// resource (<issuer>/api/capture for lite sign-up, <issuer>/admin/api for the admin API) and whose scope
// carries the API's scope, checked with jose.
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';

export const CAPTURE_SCOPE = 'capture';
export const captureResourceOf = (issuer: string) => `${issuer}/api/capture`;
export const ADMIN_SCOPE = 'admin';
export const adminResourceOf = (issuer: string) => `${issuer}/admin/api`;

/** Foyer's own resources and the one scope each grants; getResourceServerInfo offers them beside the admin's. */
export const builtInResources = (issuer: string): Map<string, string> => new Map([[captureResourceOf(issuer), CAPTURE_SCOPE], [adminResourceOf(issuer), ADMIN_SCOPE]]);

export interface ApiTokenDeps {
  issuer: string;
  publicKeys(): Promise<JWK[]>;
}

/** The client a bearer token was issued to, when it is a live token of this issuer for `resource` with `scope`; else undefined. */
export async function verifyApiToken(token: string, deps: ApiTokenDeps, resource: string, scope: string): Promise<{ clientId: string } | undefined> {
  if (token.length > 8192 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return undefined;
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: await deps.publicKeys() }), {
      issuer: deps.issuer, audience: resource, algorithms: ['ES256'], typ: 'at+jwt',
    });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    const clientId = payload.client_id;
    if (!scopes.includes(scope) || typeof clientId !== 'string') return undefined;
    return { clientId };
  } catch {
    return undefined;
  }
}

export const verifyCaptureToken = (token: string, deps: ApiTokenDeps) => verifyApiToken(token, deps, captureResourceOf(deps.issuer), CAPTURE_SCOPE);
