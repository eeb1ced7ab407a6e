// Owns what a request says about where it came from, for Foyer's koa app and oidc-provider's alike:
// - the client address: behind N proxies (TRUST_PROXY), the X-Forwarded-For entry N from the right, the
//   one the outermost trusted proxy wrote; entries further left were written by the client and never count.
//   With no proxy, the socket's peer address; X-Forwarded-For is ignored.
// - the public origin: always the issuer's. Host, X-Forwarded-Host and X-Forwarded-Proto never change a URL
//   Foyer writes (discovery, redirects, mail links) nor whether its cookies are Secure, so a forged header
//   cannot poison a cached discovery document, and TLS ending at a proxy needs no header to be trusted.
import type Koa from 'koa';

export interface ProxySettings {
  /** How many proxies stand in front (0: none). */
  hops: number;
  /** The issuer URL: Foyer's one public origin. */
  issuer: string;
}

export function applyProxySettings(app: Koa, settings: ProxySettings): void {
  app.proxy = settings.hops > 0;
  // koa keeps only the last `maxIpsCount` entries and takes the first of them: the entry `hops` from the right.
  app.maxIpsCount = settings.hops;
  const issuer = new URL(settings.issuer);
  const protocol = issuer.protocol.replace(/:$/, '');
  // koa derives secure, hostname, origin and href from these two.
  Object.defineProperties(app.request, {
    protocol: { configurable: true, get: () => protocol },
    host: { configurable: true, get: () => issuer.host },
  });
}
