// Owns the consent step: what the page lists (the client's name, each requested scope, optional ones
// deselectable) and recording the customer's choice in Foyer's consent ledger before oidc-provider's grant.
import { t } from '../i18n/translate.ts';
import { currentLanguage } from '../i18n/request-language.ts';
import { pickLocale } from '../profile/schema.ts';
import { describeStandardScope, effectiveScopeClaims, scopeOfClaim, type ScopeClaims } from '../consent/scope-claims.ts';
import type { GrantFromConsent } from '../oidc/grants.ts';
import type { ConsentService } from '../consent/service.ts';
import { parseClientProfileNeeds } from '../profile/client-needs.ts';
import type { ProfileService } from '../profile/service.ts';
import type { Interaction, JourneyPorts } from './context.ts';

interface ConsentDeps extends JourneyPorts {
  consent: ConsentService;
  /** The protocol's side of a consent (src/oidc/grants.ts), handed in by the composition root. */
  grantFromConsent: GrantFromConsent;
  /** The profile schema: custom scopes and claims, and the scopes carrying fields a client requires. */
  profile?: ProfileService;
}

interface PromptDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

const REQUIRED_SCOPES = new Set(['openid']);

const scopeClaimsOf = (deps: ConsentDeps): ScopeClaims => effectiveScopeClaims(deps.profile?.current());

/** Scopes the page asks about: those missing, plus the scope of every claim asked for through `claims`. */
function requestedScopes(details: PromptDetails, scopeClaims: ScopeClaims): string[] {
  const scopes = new Set(details.missingOIDCScope ?? []);
  for (const claim of details.missingOIDCClaims ?? []) {
    const scope = scopeOfClaim(scopeClaims, claim);
    if (scope) scopes.add(scope);
  }
  return [...scopes];
}

/** openid, and every scope that carries a profile field this client requires: these cannot be deselected. */
function requiredScopes(deps: ConsentDeps, clientMetadata: Record<string, unknown> | undefined): Set<string> {
  const required = new Set(REQUIRED_SCOPES);
  const schema = deps.profile?.current();
  if (!schema || !clientMetadata) return required;
  for (const key of parseClientProfileNeeds(clientMetadata).required) {
    const scope = schema.byKey.get(key)?.scope;
    if (scope) required.add(scope);
  }
  return required;
}

/** What a custom scope releases, in the words of its fields' labels. */
function describeScope(deps: ConsentDeps, scope: string): string {
  const standard = describeStandardScope(scope);
  if (standard) return standard;
  const language = currentLanguage();
  const labels = (deps.profile?.current().fields ?? []).filter((f) => f.scope === scope).map((f) => pickLocale(f.label, [language]) ?? f.key);
  return labels.length ? t('journey.consent.custom_scope', { scope, fields: new Intl.ListFormat(language, { type: 'unit' }).format(labels) }) : scope;
}

export async function consentView(deps: ConsentDeps, interaction: Interaction) {
  const details = interaction.prompt.details as PromptDetails;
  const client = await deps.provider().Client.find(String(interaction.params.client_id));
  const required = requiredScopes(deps, client?.metadata());
  const scopes = requestedScopes(details, scopeClaimsOf(deps)).map((scope) => ({
    scope,
    description: describeScope(deps, scope),
    required: required.has(scope),
  }));
  const resources = Object.entries(details.missingResourceScopes ?? {}).map(([resource, list]) => ({ resource, scopes: list.join(', ') }));
  return { clientName: client?.clientName ?? client?.clientId ?? t('journey.consent.this_app'), scopes, resources };
}

export async function grantConsent(deps: ConsentDeps, interaction: Interaction, selected: string[], ip: string): Promise<string> {
  const details = interaction.prompt.details as PromptDetails;
  const accountId = interaction.session!.accountId;
  const clientId = String(interaction.params.client_id);
  const scopeClaims = scopeClaimsOf(deps);
  const requested = requestedScopes(details, scopeClaims);
  const client = await deps.provider().Client.find(clientId);
  const required = requiredScopes(deps, client?.metadata());
  const granted = requested.filter((scope) => required.has(scope) || selected.includes(scope));
  const resourceScopes = Object.fromEntries(Object.entries(details.missingResourceScopes ?? {}).filter(([resource]) => selected.includes(`resource:${resource}`)));
  const merged = await deps.consent.grantClientScopes(accountId, clientId, {
    grantedScopes: granted,
    rejectedScopes: requested.filter((scope) => !granted.includes(scope)),
    resourceScopes,
  }, { channel: 'consent-page', ip });
  const grant = await deps.grantFromConsent(deps.provider(), accountId, clientId, merged, interaction.grantId, scopeClaims);
  // Claims asked for outside any scope cannot be granted; marking them seen stops a prompt loop.
  const unknownClaims = (details.missingOIDCClaims ?? []).filter((claim) => !scopeOfClaim(scopeClaims, claim));
  if (unknownClaims.length) {
    grant.rejectOIDCClaims(unknownClaims);
    await grant.save();
  }
  return grant.jti;
}
