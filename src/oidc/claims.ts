// Owns which claims each scope carries and how an account becomes a set of claims for oidc-provider.
import type { Account as OidcAccount, FindAccount } from 'oidc-provider';
import type { AccountQueries } from '../accounts/queries.ts';
import { NO_ESSENTIAL_CLAIMS, restrictClaims, type EssentialClaims } from '../privacy/restriction.ts';
import { RESERVED_CLAIMS } from '../config/profile-fields.ts';
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

/** oidc-provider filters these by the scopes and claims granted to the client. */
/** A restricted account (src/privacy) releases only `sub` and the claims `essentialClaims` names. */
export function createFindAccount(accounts: AccountQueries, schema?: () => ProfileSchema | undefined, essentialClaims: EssentialClaims = NO_ESSENTIAL_CLAIMS): FindAccount {
  return async (_ctx, sub) => {
    const account = await accounts.findAccountWithProfile(sub);
    if (!account || !SIGN_IN_ALLOWED.has(account.status)) return undefined;
    const found: OidcAccount = {
      accountId: account.id,
      async claims() {
        // Profile values are stored by field key; an app receives them under the field's claim name.
        const current = schema?.();
        const byKey = current?.byKey;
        // Whatever profile_values holds, it never stands in for the claims Foyer asserts (sub, email, …);
        // the values of a disabled field stay stored but are not released.
        const profile: Record<string, unknown> = Object.fromEntries(Object.entries(account.profile)
          .filter(([key]) => !current?.disabledKeys.has(key))
          .map(([key, value]) => [byKey?.get(key)?.claimName ?? key, value] as const).filter(([claim]) => !RESERVED_CLAIMS.has(claim)));
        const name = [profile.given_name, profile.family_name].filter((part) => typeof part === 'string' && part).join(' ');
        const claims = {
          sub: account.id,
          ...(account.email ? { email: account.email, email_verified: account.emailVerified } : {}),
          ...profile,
          ...(name && !profile.name ? { name } : {}),
        };
        return account.processingRestricted ? restrictClaims(claims, await essentialClaims()) : claims;
      },
    };
    return found;
  };
}
