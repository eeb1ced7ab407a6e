// Owns which claims each scope carries and how an account becomes a set of claims for oidc-provider.
import type { Account as OidcAccount, FindAccount } from 'oidc-provider';
import type { AccountQueries } from '../accounts/queries.ts';
import type { ReleasableAccount } from '../consent/field-release.ts';
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

const SIGN_IN_ALLOWED = new Set(['active', 'restricted']);

/** The domain's release of an account's claims to an app (src/consent/field-release.ts). */
export interface ClaimRelease {
  claims(account: ReleasableAccount, wanted: ReadonlySet<string>): Promise<{ sub: string; [claim: string]: unknown }>;
}

/** The claim names an app may have by its grant: those of its granted scopes and those it asked for with `claims`, less rejected ones. */
export function grantedClaimNames(scopeClaims: ScopeClaims, scope: string, requested: Record<string, unknown> | undefined, rejected: readonly string[] = []): Set<string> {
  const names = new Set([...scope.split(' ').flatMap((s) => scopeClaims[s] ?? []), ...Object.keys(requested ?? {})]);
  for (const claim of rejected) names.delete(claim);
  return names;
}

/**
 * Claims are computed at every call (userinfo, each ID token): a withdrawal, objection or new consent shows
 * in the next answer. Scope and grant first (oidc-provider filters again by the grant), then the release rule.
 */
export function createFindAccount(accounts: AccountQueries, release: ClaimRelease, scopeClaims: () => ScopeClaims): FindAccount {
  return async (_ctx, sub) => {
    const account = await accounts.findAccountWithProfile(sub);
    if (!account || !SIGN_IN_ALLOWED.has(account.status)) return undefined;
    const found: OidcAccount = {
      accountId: account.id,
      async claims(_use, scope, requested, rejected) {
        const wanted = grantedClaimNames(scopeClaims(), scope, requested as Record<string, unknown> | undefined, rejected);
        return release.claims({ id: account.id, email: account.email, emailVerified: account.emailVerified, profile: account.profile }, wanted);
      },
    };
    return found;
  };
}
