// Owns how an account becomes a set of claims for oidc-provider (which claims each scope carries: src/consent/scope-claims.ts).
import type { Account as OidcAccount, FindAccount } from 'oidc-provider';
import { accountWithProfileOf, accountWithProfileSql, type AccountQueries, type AccountWithProfileOptions, type AccountWithProfileRow } from '../accounts/queries.ts';
import { takeAccountReadWithToken } from './session-writes.ts';
import type { ReleasableAccount } from '../consent/field-release.ts';
import type { ScopeClaims } from '../consent/scope-claims.ts';
import type { PurposeStanding } from '../consent/purposes.ts';

/** The account's own MFA switch, as read with the account for this request. */
export const ACCOUNT_MFA_ENABLED = 'foyerMfaEnabled';
/** Seconds since the account's last counted profile visit (null: none), read with the account in authorizations. */
export const ACCOUNT_SECONDS_SINCE_VISIT = 'foyerSecondsSinceVisit';

const SIGN_IN_ALLOWED = new Set(['active', 'restricted']);

/** The domain's release of an account's claims to an app (src/consent/field-release.ts). */
export interface ClaimRelease {
  /** `standings`: the purposes' standings read with the account in this request (else the release reads them). */
  claims(account: ReleasableAccount, wanted: ReadonlySet<string>, standings?: readonly PurposeStanding[]): Promise<{ sub: string; [claim: string]: unknown }>;
  /** The purposes' standings as a subquery the account's read carries (`a.id` the account's id), and turning its value into standings. */
  standingsWithAccount?: { sql: string; standings(value: unknown, processingRestricted: boolean): PurposeStanding[] };
}

// Where claims follow in the same request (ID tokens, userinfo): the purposes come with the account's read.
const RELEASING_ROUTES = new Set(['token', 'userinfo']);

/** How the token and userinfo routes read the account: with the purposes' standings the release rule takes. */
const releasingReadOptions = (release: ClaimRelease): AccountWithProfileOptions => ({ alsoSelect: release.standingsWithAccount?.sql });

/** The account's read as a LATERAL join of the token's read (adapter.ts), for the account id `accountIdSql`. */
export function accountWithTokenSql(release: ClaimRelease): (accountIdSql: string) => string {
  const options = releasingReadOptions(release);
  return (accountIdSql) => accountWithProfileSql(accountIdSql, options);
}

/** Which profile fields an app's brand may have (src/brands/sharing.ts); undefined = every field. */
export interface BrandFieldFilter {
  fieldFilter(accountId: string, clientId: string | undefined): Promise<((field: string) => boolean) | undefined>;
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
export function createFindAccount(accounts: AccountQueries, release: ClaimRelease, scopeClaims: () => ScopeClaims, brands?: BrandFieldFilter): FindAccount {
  return async (ctx, sub) => {
    const route = ctx?.oidc?.route ?? '';
    // Only authorizations (not tokens or userinfo) run the profile prompt, which wants the last visit's time;
    // tokens and userinfo release claims in the same request, so the purposes come with the account's read.
    const releasing = RELEASING_ROUTES.has(route);
    const withStandings = releasing ? release.standingsWithAccount : undefined;
    // On those routes the account came with the token's read in this same request (adapter.ts), when it did.
    const readWithToken = releasing ? takeAccountReadWithToken(sub) : undefined;
    const account = readWithToken
      ? accountWithProfileOf(readWithToken.row as AccountWithProfileRow | undefined, releasingReadOptions(release))
      : await accounts.findAccountWithProfile(sub, { visit: route === 'authorization' || route === 'resume', alsoSelect: withStandings?.sql });
    if (!account || !SIGN_IN_ALLOWED.has(account.status)) return undefined;
    // Read with the account in this request; each claims() of it uses them (a later request reads afresh).
    const standings = withStandings?.standings(account.also, account.processingRestricted === true);
    const found: OidcAccount = {
      accountId: account.id,
      // Read with the account: the mfa and profile prompts of the same authorization take them from here (policy.ts).
      [ACCOUNT_MFA_ENABLED]: account.mfaEnabled,
      ...(account.secondsSinceVisit !== undefined ? { [ACCOUNT_SECONDS_SINCE_VISIT]: account.secondsSinceVisit } : {}),
      async claims(_use, scope, requested, rejected) {
        const wanted = grantedClaimNames(scopeClaims(), scope, requested as Record<string, unknown> | undefined, rejected);
        // Across brands: only the fields the customer shared with this app's brand (or gave through it).
        const allowed = await brands?.fieldFilter(account.id, ctx?.oidc?.client?.clientId);
        const profile = allowed ? Object.fromEntries(Object.entries(account.profile).filter(([key]) => allowed(key))) : account.profile;
        return release.claims({
          id: account.id, email: account.email, emailVerified: account.emailVerified, profile, processingRestricted: account.processingRestricted,
        }, wanted, standings);
      },
    };
    return found;
  };
}
