// Owns how Foyer's own pages (the account pages, the admin pages, the demo) are clients of this Foyer: the
// registration of a first-party page client, and discovery once, on first use, as a public client with PKCE
// (a failed discovery is tried again next time).
import * as oidc from 'openid-client';
import type { ClientInput } from '../oidc/clients.ts';

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

export function lazyDiscovery(issuer: string, clientId: string): () => Promise<oidc.Configuration> {
  let configuration: Promise<oidc.Configuration> | undefined;
  return () => {
    const insecure = issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {};
    configuration ??= oidc.discovery(new URL(issuer), clientId, undefined, oidc.None(), insecure).catch((error: unknown) => {
      configuration = undefined;
      throw error;
    });
    return configuration;
  };
}
