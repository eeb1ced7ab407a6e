// Owns the consent step: what the page lists (the client's name, each requested scope, optional ones
// deselectable) and recording the customer's choice in Foyer's consent ledger before oidc-provider's grant.
import { SCOPE_CLAIMS, SCOPE_DESCRIPTIONS } from '../oidc/claims.ts';
import { grantFromConsent } from '../oidc/grants.ts';
import type { ConsentService } from '../consent/service.ts';
import type { Interaction, JourneyPorts } from './context.ts';

interface ConsentDeps extends JourneyPorts {
  consent: ConsentService;
}

interface PromptDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

const REQUIRED_SCOPES = new Set(['openid']);

/** Scopes the page asks about: those missing, plus the scope of every claim asked for through `claims`. */
function requestedScopes(details: PromptDetails): string[] {
  const scopes = new Set(details.missingOIDCScope ?? []);
  for (const claim of details.missingOIDCClaims ?? []) {
    const scope = Object.entries(SCOPE_CLAIMS).find(([, claims]) => (claims as readonly string[]).includes(claim))?.[0];
    if (scope) scopes.add(scope);
  }
  return [...scopes];
}

export async function consentView(deps: ConsentDeps, interaction: Interaction) {
  const details = interaction.prompt.details as PromptDetails;
  const client = await deps.provider().Client.find(String(interaction.params.client_id));
  const scopes = requestedScopes(details).map((scope) => ({
    scope,
    description: SCOPE_DESCRIPTIONS[scope] ?? scope,
    required: REQUIRED_SCOPES.has(scope),
  }));
  const resources = Object.entries(details.missingResourceScopes ?? {}).map(([resource, list]) => ({ resource, scopes: list.join(', ') }));
  return { clientName: client?.clientName ?? client?.clientId ?? 'This app', scopes, resources };
}

export async function grantConsent(deps: ConsentDeps, interaction: Interaction, selected: string[], ip: string): Promise<string> {
  const details = interaction.prompt.details as PromptDetails;
  const accountId = interaction.session!.accountId;
  const clientId = String(interaction.params.client_id);
  const requested = requestedScopes(details);
  const granted = requested.filter((scope) => REQUIRED_SCOPES.has(scope) || selected.includes(scope));
  const resourceScopes = Object.fromEntries(Object.entries(details.missingResourceScopes ?? {}).filter(([resource]) => selected.includes(`resource:${resource}`)));
  const merged = await deps.consent.grantClientScopes(accountId, clientId, {
    grantedScopes: granted,
    rejectedScopes: requested.filter((scope) => !granted.includes(scope)),
    resourceScopes,
  }, { channel: 'consent-page', ip });
  const grant = await grantFromConsent(deps.provider(), accountId, clientId, merged, interaction.grantId);
  // Claims asked for outside any scope cannot be granted; marking them seen stops a prompt loop.
  const unknownClaims = (details.missingOIDCClaims ?? []).filter((claim) => !Object.values(SCOPE_CLAIMS).some((c) => (c as readonly string[]).includes(claim)));
  if (unknownClaims.length) {
    grant.rejectOIDCClaims(unknownClaims);
    await grant.save();
  }
  return grant.jti;
}
