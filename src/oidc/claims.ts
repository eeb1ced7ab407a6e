// Owns how an account becomes a set of claims for oidc-provider (which claims each scope carries: src/consent/scope-claims.ts).
import type { Account as OidcAccount, FindAccount } from 'oidc-provider';
import type { AccountQueries } from '../accounts/queries.ts';
import type { ReleasableAccount } from '../consent/field-release.ts';
import type { ScopeClaims } from '../consent/scope-claims.ts';

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
        return release.claims({
          id: account.id, email: account.email, emailVerified: account.emailVerified, profile: account.profile, processingRestricted: account.processingRestricted,
        }, wanted);
      },
    };
    return found;
  };
}
