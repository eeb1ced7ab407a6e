// Owns how an account becomes a set of claims for oidc-provider (which claims each scope carries: src/consent/scope-claims.ts).
import type { Account as OidcAccount, FindAccount } from 'oidc-provider';
import type { AccountQueries } from '../accounts/queries.ts';
import { NO_ESSENTIAL_CLAIMS, restrictClaims, type EssentialClaims } from '../privacy/restriction.ts';
import { RESERVED_CLAIMS } from '../config/profile-fields.ts';
import type { ProfileSchema } from '../profile/schema.ts';

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
