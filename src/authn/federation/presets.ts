// Owns what a connector's kind means: the presets (Google, Microsoft, Apple, Facebook, GitHub) fill in
// endpoints, scopes and the claim mapping, so an admin gives only ids and secrets. Pure: no I/O.
import { canonicalEmail } from '../../accounts/email-address.ts';

export const CONNECTOR_KINDS = ['oidc', 'oauth2', 'google', 'microsoft', 'apple', 'facebook', 'github'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];

/** Profile fields an upstream may offer for import, by their OpenID claim names. */
export const IMPORTABLE_FIELDS = ['name', 'given_name', 'family_name', 'nickname', 'picture', 'birthdate', 'locale', 'zoneinfo'] as const;
export type ImportableField = (typeof IMPORTABLE_FIELDS)[number];

/**
 * Where each value sits in the upstream's answer (userinfo, Graph /me, GitHub /user): a dotted path
 * such as `picture.data.url`. `emailVerified` is a path, or a constant when the upstream has no flag.
 */
export interface ClaimMapping {
  subject: string;
  email: string;
  emailVerified: string | boolean;
  profile: Partial<Record<ImportableField, string>>;
}

/** What the admin stores for one connector (the config file seeds it; the database row is authoritative). */
export interface ConnectorInput {
  id: string;
  kind: ConnectorKind;
  name?: string | undefined;
  enabled: boolean;
  clientId: string;
  clientSecret?: string | undefined;
  /** oidc: the issuer to discover. oauth2: the issuer the authorization response names (RFC 9207), if any. */
  issuer?: string | undefined;
  authorizationEndpoint?: string | undefined;
  tokenEndpoint?: string | undefined;
  userinfoEndpoint?: string | undefined;
  scopes?: string[] | undefined;
  mapping?: Partial<Omit<ClaimMapping, 'profile'>> & { profile?: Partial<Record<ImportableField, string>> } | undefined;
  /** oauth2: send PKCE (S256). Default true; turn off only for an upstream that refuses it. */
  pkce?: boolean | undefined;
  /** oidc, oauth2: how the client secret is sent to the token endpoint (default basic). */
  clientAuth?: 'basic' | 'post' | undefined;
  /** oidc: ask for the answer as a cross-site form post (as Apple does). */
  responseMode?: 'form_post' | undefined;
  /** microsoft: common, organizations, consumers or a tenant id / domain. */
  tenant?: string | undefined;
  /** apple: the team id, the key id and the .p8 private key (PEM) the client secret JWT is signed with. */
  teamId?: string | undefined;
  keyId?: string | undefined;
  privateKey?: string | undefined;
}

/** A connector ready to use: every endpoint, scope and mapping decided. */
export interface ResolvedConnector {
  id: string;
  kind: ConnectorKind;
  name: string;
  enabled: boolean;
  protocol: 'oidc' | 'oauth2';
  clientId: string;
  clientSecret?: string | undefined;
  issuer?: string | undefined;
  authorizationEndpoint?: string | undefined;
  tokenEndpoint?: string | undefined;
  userinfoEndpoint?: string | undefined;
  /** github: where the verified primary email is listed. */
  emailsEndpoint?: string | undefined;
  scopes: string[];
  pkce: boolean;
  /** How the client secret reaches the token endpoint: HTTP Basic (default) or in the body. */
  clientAuth: 'basic' | 'post';
  responseMode?: 'form_post' | undefined;
  mapping: ClaimMapping;
  /** microsoft `organizations`: tokens of personal accounts (the consumers tenant) are refused. */
  refuseTenants?: string[] | undefined;
  apple?: { teamId: string; keyId: string; privateKey: string } | undefined;
}

export class ConnectorSettingsError extends Error {}

const STANDARD_PROFILE: Partial<Record<ImportableField, string>> = Object.fromEntries(IMPORTABLE_FIELDS.map((f) => [f, f]));
const OIDC_MAPPING: ClaimMapping = { subject: 'sub', email: 'email', emailVerified: 'email_verified', profile: STANDARD_PROFILE };
/** The tenant id of personal Microsoft accounts. */
export const MICROSOFT_CONSUMERS_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const FACEBOOK_GRAPH = 'https://graph.facebook.com/v19.0';

function mergeMapping(base: ClaimMapping, over: ConnectorInput['mapping']): ClaimMapping {
  return { ...base, ...over, profile: { ...base.profile, ...over?.profile } };
}

function need<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined || value === '') throw new ConnectorSettingsError(`connector ${id}: ${what} is required`);
  return value;
}

const TITLES: Record<ConnectorKind, string> = { oidc: 'OpenID Connect', oauth2: 'OAuth', google: 'Google', microsoft: 'Microsoft', apple: 'Apple', facebook: 'Facebook', github: 'GitHub' };

/** Fills in what the kind decides; throws ConnectorSettingsError naming what is missing. */
export function resolveConnector(input: ConnectorInput): ResolvedConnector {
  const base = { id: input.id, kind: input.kind, name: input.name ?? TITLES[input.kind], enabled: input.enabled, clientId: input.clientId, clientSecret: input.clientSecret, clientAuth: 'basic' as const };
  switch (input.kind) {
    case 'oidc':
      return {
        ...base, protocol: 'oidc', issuer: need(input.issuer, 'issuer', input.id), scopes: input.scopes ?? ['openid', 'email', 'profile'], pkce: true,
        clientAuth: input.clientAuth ?? 'basic', responseMode: input.responseMode, mapping: mergeMapping(OIDC_MAPPING, input.mapping),
      };
    case 'oauth2': {
      const authorizationEndpoint = need(input.authorizationEndpoint, 'authorizationEndpoint', input.id);
      return {
        ...base, protocol: 'oauth2', issuer: input.issuer ?? new URL(authorizationEndpoint).origin, authorizationEndpoint,
        tokenEndpoint: need(input.tokenEndpoint, 'tokenEndpoint', input.id), userinfoEndpoint: need(input.userinfoEndpoint, 'userinfoEndpoint', input.id),
        scopes: input.scopes ?? [], pkce: input.pkce ?? true, clientAuth: input.clientAuth ?? 'basic', mapping: mergeMapping(OIDC_MAPPING, input.mapping),
      };
    }
    case 'google':
      return { ...base, protocol: 'oidc', issuer: 'https://accounts.google.com', scopes: input.scopes ?? ['openid', 'email', 'profile'], pkce: true, mapping: mergeMapping(OIDC_MAPPING, input.mapping) };
    case 'microsoft': {
      const tenant = input.tenant ?? 'common';
      if (!/^[\w.-]{1,100}$/.test(tenant)) throw new ConnectorSettingsError(`connector ${input.id}: tenant must be common, organizations, consumers, a tenant id or a domain`);
      // For common and organizations, Microsoft publishes the issuer as a template
      // (https://login.microsoftonline.com/{tenantid}/v2.0); openid-client checks each ID token's iss
      // against it with the token's own tid filled in.
      return {
        ...base, protocol: 'oidc', issuer: `https://login.microsoftonline.com/${tenant}/v2.0`, scopes: input.scopes ?? ['openid', 'email', 'profile'], pkce: true,
        // Microsoft's email claim is not verified by Microsoft for every tenant: never trusted for linking.
        mapping: mergeMapping({ ...OIDC_MAPPING, emailVerified: false }, input.mapping),
        ...(tenant === 'organizations' ? { refuseTenants: [MICROSOFT_CONSUMERS_TENANT] } : {}),
      };
    }
    case 'apple':
      return {
        ...base, protocol: 'oidc', issuer: 'https://appleid.apple.com', scopes: input.scopes ?? ['openid', 'email', 'name'], pkce: true, responseMode: 'form_post',
        // Apple sends the name only in the first form_post (`user`, see apple.ts), never in the ID token.
        mapping: mergeMapping({ ...OIDC_MAPPING, profile: { given_name: 'given_name', family_name: 'family_name' } }, input.mapping),
        apple: { teamId: need(input.teamId, 'teamId', input.id), keyId: need(input.keyId, 'keyId', input.id), privateKey: need(input.privateKey, 'privateKey', input.id) },
      };
    case 'facebook':
      return {
        ...base, protocol: 'oauth2', authorizationEndpoint: 'https://www.facebook.com/v19.0/dialog/oauth', tokenEndpoint: `${FACEBOOK_GRAPH}/oauth/access_token`,
        userinfoEndpoint: `${FACEBOOK_GRAPH}/me?fields=id,name,email,picture,first_name,last_name`, scopes: input.scopes ?? ['email', 'public_profile'], pkce: input.pkce ?? true, clientAuth: 'post',
        // The Graph API says nothing about verification: the customer confirms the address by code.
        mapping: mergeMapping({ subject: 'id', email: 'email', emailVerified: false, profile: { name: 'name', given_name: 'first_name', family_name: 'last_name', picture: 'picture.data.url' } }, input.mapping),
      };
    case 'github': {
      // GitHub Enterprise Server: its own three endpoints; the emails list sits beside /user.
      const userinfoEndpoint = input.userinfoEndpoint ?? 'https://api.github.com/user';
      return {
        ...base, protocol: 'oauth2', authorizationEndpoint: input.authorizationEndpoint ?? 'https://github.com/login/oauth/authorize',
        tokenEndpoint: input.tokenEndpoint ?? 'https://github.com/login/oauth/access_token', userinfoEndpoint, emailsEndpoint: `${userinfoEndpoint}/emails`,
        issuer: input.issuer, scopes: input.scopes ?? ['read:user', 'user:email'], pkce: input.pkce ?? true, clientAuth: 'post',
        // The email comes from /user/emails (primary and verified), never from the public profile.
        mapping: mergeMapping({ subject: 'id', email: '', emailVerified: false, profile: { name: 'name', nickname: 'login', picture: 'avatar_url' } }, input.mapping),
      };
    }
  }
}

/** The value at a dotted path of an upstream answer. */
export function valueAt(source: unknown, path: string): unknown {
  if (!path) return undefined;
  let node: unknown = source;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export interface MappedIdentity {
  subject: string | undefined;
  email: string | null;
  emailVerified: boolean;
  profile: Partial<Record<ImportableField, string>>;
}

/** Reads who the upstream says this is, through the connector's mapping. Values it cannot use are dropped. */
export function mapUpstreamClaims(mapping: ClaimMapping, claims: unknown): MappedIdentity {
  const rawSubject = valueAt(claims, mapping.subject);
  const subject = typeof rawSubject === 'string' && rawSubject.length > 0 && rawSubject.length <= 255 ? rawSubject
    : typeof rawSubject === 'number' && Number.isSafeInteger(rawSubject) ? String(rawSubject) : undefined;
  const rawEmail = valueAt(claims, mapping.email);
  const typed = typeof rawEmail === 'string' ? canonicalEmail(rawEmail) : '';
  const email = typed.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(typed) ? typed : null;
  // Some upstreams (Apple) send the flag as the string "true".
  const flag = typeof mapping.emailVerified === 'boolean' ? mapping.emailVerified : valueAt(claims, mapping.emailVerified);
  const profile: Partial<Record<ImportableField, string>> = {};
  for (const field of IMPORTABLE_FIELDS) {
    const path = mapping.profile[field];
    const value = path ? cleanProfileValue(field, valueAt(claims, path)) : undefined;
    if (value !== undefined) profile[field] = value;
  }
  return { subject, email, emailVerified: email !== null && (flag === true || flag === 'true'), profile };
}

/** A profile value as Foyer would store it, or undefined when the upstream's is unusable. */
export function cleanProfileValue(field: ImportableField, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!text || text.includes('\0') || !text.isWellFormed()) return undefined;
  switch (field) {
    case 'picture':
      return text.length <= 2000 && /^https:\/\/[^\s]+$/.test(text) ? text : undefined;
    case 'birthdate':
      return /^(\d{4}|0000)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(text) || /^\d{4}$/.test(text) ? text : undefined;
    case 'locale':
      return /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$/.test(text) ? text.replace('_', '-') : undefined;
    case 'zoneinfo':
      return /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2}$/.test(text) && text.length <= 64 ? text : undefined;
    default:
      return text.length <= 200 ? text : undefined;
  }
}
