// Owns what a client registration is, whichever way it comes (`foyer clients add`, the admin API, Foyer's own
// pages): its input and the choices it offers. The protocol side (src/oidc/clients.ts) stores and serves it.
import type { ClientMfaPolicy } from '../authn/mfa/policy.ts';

/** ID token signing algorithms a client may choose (ES256 by default; RS256 for relying parties that cannot verify ES256). */
export const ID_TOKEN_ALGS = ['ES256', 'RS256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];
/** How a confidential client authenticates at the token endpoint; a secret client may always send its secret either way. */
export const TOKEN_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
export type TokenAuthMethod = (typeof TOKEN_AUTH_METHODS)[number];

export interface ClientInput {
  clientId: string;
  name?: string | undefined;
  redirectUris: string[];
  postLogoutRedirectUris?: string[] | undefined;
  /** Public clients authenticate with PKCE only; otherwise a secret is given or generated. */
  public: boolean;
  secret?: string | undefined;
  scope?: string | undefined;
  grantTypes?: string[] | undefined;
  firstParty?: boolean | undefined;
  backchannelLogoutUri?: string | undefined;
  /** When this client asks for a second factor (default 'optional': when the account turned MFA on). */
  mfa?: ClientMfaPolicy | undefined;
  /** Documents (ids) a customer must accept before signing in to this client, beyond those required of everyone. */
  documents?: string[] | undefined;
  /** ID tokens always carry auth_time (the portal's own client needs it for fresh-auth checks). */
  requireAuthTime?: boolean | undefined;
  /** Profile fields this client requires (asked, blocking, until given) and would like (asked as optional). */
  profileRequired?: string[] | undefined;
  profileOptional?: string[] | undefined;
  /** Optional profile fields asked at most per visit through this client (default: profile.maxOptionalPerVisit). */
  profilePerVisit?: number | undefined;
  /** The social-login connectors its sign-in page shows (`foyer_connectors`); absent: every enabled one. */
  connectors?: string[] | undefined;
  /** How its ID tokens are signed (default ES256). */
  idTokenAlg?: IdTokenAlg | undefined;
  /** A confidential client's token endpoint authentication (default client_secret_basic); private_key_jwt needs jwksUri. */
  tokenAuthMethod?: TokenAuthMethod | undefined;
  /** Where a private_key_jwt client publishes the keys its client assertions are signed with. */
  jwksUri?: string | undefined;
}

/** What a change may carry: everything but the id, and whether the client is public (its secret rotates apart). */
export type ClientChange = Partial<Omit<ClientInput, 'clientId' | 'public' | 'secret'>>;

export class ClientExistsError extends Error {
  constructor(clientId: string) {
    super(`a client with id "${clientId}" already exists`);
  }
}
