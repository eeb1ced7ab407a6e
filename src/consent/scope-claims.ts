// Owns which claims each scope carries (the standard map plus the profile schema's custom scopes), shared by
// the protocol, the consent page and the account pages.
import { t } from '../i18n/translate.ts';
import { mergeScopeClaims, type ProfileSchema } from '../profile/schema.ts';

export const SCOPE_CLAIMS = {
  // acr and amr come from the sign-in (not the account), so every ID token says how the person signed in.
  openid: ['sub', 'acr', 'amr'],
  email: ['email', 'email_verified'],
  profile: ['name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
  // The Account API (/account/api): no claims; only clients registered with it may ask for it.
  account: [],
} as const;

/** The scopes oidc-provider knows; any other scope is an API (resource server) scope. */
export const OIDC_SCOPES: string[] = ['openid', 'offline_access', ...Object.keys(SCOPE_CLAIMS).filter((s) => s !== 'openid')];

/** The catalogue key describing a standard scope to a person (common.scope.<scope>). */
const SCOPE_DESCRIPTION_KEYS: Record<string, string> = {
  openid: 'common.scope.openid',
  email: 'common.scope.email',
  profile: 'common.scope.profile',
  address: 'common.scope.address',
  phone: 'common.scope.phone',
  offline_access: 'common.scope.offline_access',
  account: 'common.scope.account',
};

/** A standard scope in words, in the reader's language; undefined for a scope the profile schema adds. */
export function describeStandardScope(scope: string): string | undefined {
  const key = SCOPE_DESCRIPTION_KEYS[scope];
  return key ? t(key) : undefined;
}

export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are when you sign in',
  email: 'Your email address',
  profile: 'Your name and basic profile',
  address: 'Your postal address',
  phone: 'Your phone number',
  offline_access: 'Keep you signed in when you are not using it',
  account: 'Manage your account for you: sign-in methods, sessions, connected apps',
};

/** Scope → claims with the profile schema's custom scopes and claims added: what the Provider is built with. */
export type ScopeClaims = Record<string, string[]>;

export function effectiveScopeClaims(schema: ProfileSchema | undefined): ScopeClaims {
  return mergeScopeClaims(SCOPE_CLAIMS, schema?.scopeClaims ?? {});
}

/** Every scope oidc-provider should know for this map (custom profile scopes included). */
export function oidcScopesOf(scopeClaims: ScopeClaims): string[] {
  return [...new Set([...OIDC_SCOPES, ...Object.keys(scopeClaims)])];
}

/** The scope that releases `claim` under this map, if any. */
export function scopeOfClaim(scopeClaims: ScopeClaims, claim: string): string | undefined {
  return Object.entries(scopeClaims).find(([, claims]) => claims.includes(claim))?.[0];
}
