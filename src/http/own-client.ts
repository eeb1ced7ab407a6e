// Owns how Foyer's own pages (the account pages, the admin pages, the demo) sign in as clients of this Foyer:
// discovery once, on first use, as a public client with PKCE (a failed discovery is tried again next time).
// Their registrations are src/clients/own-pages.ts.
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

/** What a page client keeps of a sign-in: who, when they authenticated, how, and the OIDC session it lives with. */
export interface PageSignIn {
  accountId: string;
  authTime: Date;
  amr: string[];
  oidcSid: string | undefined;
  oidcSessionUid: string;
}

/** A sign-in whose time is unknown counts as long ago: never "recent" for a check that asks for a fresh one. */
export const UNKNOWN_AUTH_TIME = new Date(0);

/**
 * The sign-in a page client starts its server-side session from: the ID token's claims and the OIDC session
 * its access token was issued under. Undefined when that session is unknown: a page session must end when
 * its OIDC session does, so one without it is never started.
 */
export function pageSignInFrom(claims: oidc.IDToken, described: { sessionUid?: string; sid?: string } | undefined): PageSignIn | undefined {
  if (!described?.sessionUid) return undefined;
  return {
    accountId: claims.sub,
    authTime: typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : UNKNOWN_AUTH_TIME,
    amr: Array.isArray(claims.amr) ? claims.amr.map(String) : [],
    oidcSid: typeof claims.sid === 'string' ? claims.sid : described.sid,
    oidcSessionUid: described.sessionUid,
  };
}
