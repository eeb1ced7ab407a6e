// Owns turning Foyer's consent records (authoritative) into oidc-provider grants, so a customer who
// consented once, in any browser, is not asked again, and first-party clients get their scopes.
import type { Grant, KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { ClientConsent } from '../consent/queries.ts';
import type { AuthorizationConsentReads } from './authorization-consent-reads.ts';
import { SCOPE_CLAIMS, type ScopeClaims } from '../consent/scope-claims.ts';

// Granting a scope grants its claims, so a client asking for them with the `claims` parameter is not re-prompted.
const claimsOf = (scopes: string[], scopeClaims: Record<string, readonly string[]>) => scopes.flatMap((scope) => scopeClaims[scope] ?? []);

function applyConsent(grant: Grant, consent: ClientConsent, scopeClaims: Record<string, readonly string[]>): void {
  if (consent.grantedScopes.length) {
    grant.addOIDCScope(consent.grantedScopes.join(' '));
    grant.addOIDCClaims(claimsOf(consent.grantedScopes, scopeClaims));
  }
  if (consent.rejectedScopes.length) {
    grant.rejectOIDCScope(consent.rejectedScopes.join(' '));
    grant.rejectOIDCClaims(claimsOf(consent.rejectedScopes, scopeClaims));
  }
  for (const [resource, scopes] of Object.entries(consent.resourceScopes)) {
    if (scopes.length) grant.addResourceScope(resource, scopes.join(' '));
  }
}

const isSubset = (inner: string, outer: string[]) => inner.split(' ').filter(Boolean).every((s) => outer.includes(s));

function coversConsent(grant: Grant, consent: ClientConsent): boolean {
  return isSubset(consent.grantedScopes.join(' '), grant.getOIDCScope().split(' '))
    && isSubset(consent.rejectedScopes.join(' '), grant.getRejectedOIDCScope().split(' '))
    && Object.entries(consent.resourceScopes).every(([resource, scopes]) => isSubset(scopes.join(' '), grant.getResourceScope(resource).split(' ')));
}

/** Builds (or refreshes) a grant for account+client from the consent on record; undefined when there is none. */
export async function grantFromConsent(provider: Provider, accountId: string, clientId: string, consent: ClientConsent, existingGrantId?: string, scopeClaims: ScopeClaims | Record<string, readonly string[]> = SCOPE_CLAIMS): Promise<Grant> {
  let grant = existingGrantId ? await provider.Grant.find(existingGrantId) : undefined;
  // A grant that carries more than the consent on record (consent withdrawn meanwhile) is not reused.
  if (grant && (grant.accountId !== accountId || grant.clientId !== clientId || !isSubset(grant.getOIDCScope(), consent.grantedScopes))) grant = undefined;
  if (grant && coversConsent(grant, consent)) return grant; // nothing new: no write on every sign-in
  grant ??= new provider.Grant({ accountId, clientId });
  applyConsent(grant, consent, scopeClaims);
  await grant.save();
  return grant;
}

export type GrantFromConsent = typeof grantFromConsent;

export function createLoadExistingGrant(reads: AuthorizationConsentReads, scopeClaims: ScopeClaims | Record<string, readonly string[]> = SCOPE_CLAIMS) {
  return async function loadExistingGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
    const accountId = ctx.oidc.session?.accountId;
    const client = ctx.oidc.client;
    if (!accountId || !client) return undefined;
    // Read with the documents the terms prompt checks next in this request (authorization-consent-reads.ts).
    const onRecord = (await reads(ctx, accountId, client.clientId)).clientConsent;
    const firstPartyScopes = client.metadata().foyer_first_party ? String(client.scope ?? '').split(' ').filter(Boolean) : [];
    if (!onRecord && firstPartyScopes.length === 0) return undefined;
    const effective: ClientConsent = {
      grantedScopes: [...new Set([...(onRecord?.grantedScopes ?? []), ...firstPartyScopes])],
      rejectedScopes: onRecord?.rejectedScopes ?? [],
      resourceScopes: onRecord?.resourceScopes ?? {},
    };
    const existingId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(client.clientId);
    return grantFromConsent(ctx.oidc.provider, accountId, client.clientId, effective, existingId, scopeClaims);
  };
}
