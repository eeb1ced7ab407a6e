// Owns the access tokens of Foyer's own lite sign-up API: a client-credentials ES256 JWT whose audience is
// the capture resource (<issuer>/api/capture) and whose scope carries `capture`, checked with jose.
import { createLocalJWKSet, jwtVerify, type JWK } from 'jose';

export const CAPTURE_SCOPE = 'capture';
export const captureResourceOf = (issuer: string) => `${issuer}/api/capture`;

export interface CaptureTokenDeps {
  issuer: string;
  publicKeys(): Promise<JWK[]>;
}

/** The client a bearer token was issued to, when it is a live capture token of this issuer; else undefined. */
export async function verifyCaptureToken(token: string, deps: CaptureTokenDeps): Promise<{ clientId: string } | undefined> {
  if (token.length > 8192 || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return undefined;
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: await deps.publicKeys() }), {
      issuer: deps.issuer, audience: captureResourceOf(deps.issuer), algorithms: ['ES256'], typ: 'at+jwt',
    });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    const clientId = payload.client_id;
    if (!scopes.includes(CAPTURE_SCOPE) || typeof clientId !== 'string') return undefined;
    return { clientId };
  } catch {
    return undefined;
  }
}
