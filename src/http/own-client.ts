// Owns how Foyer's own pages (the account pages, the admin pages, the demo) find this Foyer as their OpenID
// Provider: discovery once, on first use, as a public client with PKCE; a failed discovery is tried again next time.
import * as oidc from 'openid-client';

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
