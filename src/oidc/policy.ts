// Owns the interaction policy: oidc-provider's base prompts (login, consent) with Foyer's own prompts
// inserted as checks, in the design's order (login → mfa → terms → brand sharing → consent → profile).
import { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { LINK_BROWSER_COOKIE } from '../authn/federation/link-proof.ts';
import { ACR_TWO_FACTOR, decideMfa, parseClientMfaPolicy, type MfaReason } from '../authn/mfa/policy.ts';
import { REMEMBERED_DEVICE_COOKIE } from '../authn/mfa/remembered-devices.ts';
import type { ConsentService } from '../consent/service.ts';
import type { AuthorizationConsentReads } from './authorization-consent-reads.ts';
import { ACCOUNT_MFA_ENABLED, ACCOUNT_SECONDS_SINCE_VISIT } from './claims.ts';
import { parseClientProfileNeeds } from '../profile/client-needs.ts';
import type { ClientProfileNeeds, ProfileDecision } from '../profile/policy.ts';

const { Check, Prompt, base } = interactionPolicy;

/** What the mfa prompt asks of the domain: the account's own MFA switch and remembered devices. */
export interface MfaPolicyPort {
  isMfaEnabled(accountId: string): Promise<boolean>;
  isRememberedDevice(accountId: string, token: string | undefined): Promise<boolean>;
  /** An account link in this browser waits for the account's second factor: asked like a step-up. */
  linkAwaitsSecondFactor?(accountId: string, browserToken: string): Promise<boolean>;
}

function requestedAcrs(ctx: KoaContextWithOIDC): string[] {
  const values = ctx.oidc.params?.acr_values;
  return typeof values === 'string' ? values.split(' ').filter(Boolean) : [];
}

/** The account's MFA switch read with the account at the start of this request (claims.ts), else read now. */
async function accountMfaEnabled(ctx: KoaContextWithOIDC, accountId: string, mfa: MfaPolicyPort): Promise<boolean> {
  const account = ctx.oidc.account;
  const known = account?.accountId === accountId ? account[ACCOUNT_MFA_ENABLED] : undefined;
  return typeof known === 'boolean' ? known : mfa.isMfaEnabled(accountId);
}

function createMfaPrompt(mfa: MfaPolicyPort) {
  const reasons = new WeakMap<object, MfaReason>();
  return new Prompt(
    { name: 'mfa', requestable: false },
    new Check('mfa_required', 'a second authentication factor is required', 'interaction_required', async (ctx: KoaContextWithOIDC) => {
      const { session, client } = ctx.oidc;
      const accountId = session?.accountId;
      if (!accountId || !client) return Check.NO_NEED_TO_PROMPT;
      const linkToken = ctx.cookies.get(LINK_BROWSER_COOKIE, { signed: false });
      const linking = linkToken !== undefined && (await mfa.linkAwaitsSecondFactor?.(accountId, linkToken)) === true;
      const situation = {
        clientPolicy: parseClientMfaPolicy(client.metadata().foyer_mfa),
        accountMfaEnabled: await accountMfaEnabled(ctx, accountId, mfa),
        requestedAcrs: linking ? [...requestedAcrs(ctx), ACR_TWO_FACTOR] : requestedAcrs(ctx),
        session: { amr: session.amr, acr: session.acr },
        rememberedDevice: false,
      };
      let decision = decideMfa(situation);
      // Only look the device up when it could make the difference.
      if (decision.prompt && decision.reason !== 'step_up') {
        const token = ctx.cookies.get(REMEMBERED_DEVICE_COOKIE, { signed: false });
        decision = decideMfa({ ...situation, rememberedDevice: await mfa.isRememberedDevice(accountId, token) });
      }
      if (!decision.prompt) return Check.NO_NEED_TO_PROMPT;
      reasons.set(ctx, linking ? 'link' : decision.reason);
      return Check.REQUEST_PROMPT;
    }, (ctx: KoaContextWithOIDC) => ({ mfa_reason: reasons.get(ctx) })),
  );
}

/** What the profile prompt asks of the domain: the fields due now, and counting a completed visit. */
export interface ProfilePromptPort {
  decide(input: { accountId: string; client: ClientProfileNeeds; grantedScopes: string[]; interactive: boolean }): Promise<ProfileDecision & { visit: number }>;
  /**
   * Counts the visit (at most one per visit gap). `secondsSinceVisit`, when known from this request's account
   * read, lets it skip the write when the last visit is well within the gap (the write would change nothing).
   */
  countVisit(accountId: string, secondsSinceVisit?: number | null): Promise<void>;
}

/** Seconds since the account's last visit as read with the account in this request; undefined when not read. */
function secondsSinceVisit(ctx: KoaContextWithOIDC, accountId: string): number | null | undefined {
  const account = ctx.oidc.account;
  const known = account?.accountId === accountId ? account[ACCOUNT_SECONDS_SINCE_VISIT] : undefined;
  return typeof known === 'number' || known === null ? known : undefined;
}

/**
 * Last prompt: progressive profile fields due now. Being last, its check answering "no need" means the
 * authorization completes, so that is where an interactive (not prompt=none) authorization counts as a visit.
 * With prompt=none only fields the client requires make it prompt, which oidc-provider turns into interaction_required.
 */
function createProfilePrompt(profile: ProfilePromptPort) {
  const decisions = new WeakMap<object, ProfileDecision & { visit: number }>();
  return new Prompt(
    { name: 'profile', requestable: false },
    new Check('profile_fields_due', 'the app requires profile information the customer has not given yet', 'interaction_required', async (ctx: KoaContextWithOIDC) => {
      const { session, client, grant } = ctx.oidc;
      const accountId = session?.accountId;
      if (!accountId || !client) return Check.NO_NEED_TO_PROMPT;
      const interactive = !ctx.oidc.prompts.has('none');
      // Answered in this authorization already (saved or "Not now"): never a second page for the same visit.
      if (!ctx.oidc.result?.profile) {
        const decision = await profile.decide({
          accountId, client: parseClientProfileNeeds(client.metadata()), interactive,
          grantedScopes: (grant?.getOIDCScope() ?? '').split(' ').filter(Boolean),
        });
        if (decision.required.length || decision.optional.length) {
          decisions.set(ctx, decision);
          return Check.REQUEST_PROMPT;
        }
      }
      if (interactive) await profile.countVisit(accountId, secondsSinceVisit(ctx, accountId));
      return Check.NO_NEED_TO_PROMPT;
    }, (ctx: KoaContextWithOIDC) => {
      const decision = decisions.get(ctx);
      return { profile_required: decision?.required ?? [], profile_optional: decision?.optional ?? [], profile_visit: decision?.visit };
    }),
  );
}

/** What the sharing prompt asks of the domain: whether this client's brand is new to the account and has something to ask. */
export interface BrandSharingPromptPort {
  question(accountId: string, clientId: string): Promise<{ brandId: string; fields: string[] } | undefined>;
}

/**
 * After the terms: the first visit to a brand other than the account's first asks which existing profile
 * fields to share with it. Answered once per brand (the ledger and brand_shares hold the answer).
 */
function createBrandSharingPrompt(sharing: BrandSharingPromptPort) {
  return new Prompt(
    { name: 'brand_sharing', requestable: false },
    new Check('brand_sharing_unanswered', 'the customer has not said which profile fields this brand may have', 'interaction_required', async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      const clientId = ctx.oidc.client?.clientId;
      if (!accountId || !clientId) return Check.NO_NEED_TO_PROMPT;
      return (await sharing.question(accountId, clientId)) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
}

export function createInteractionPolicy(consent: ConsentService, reads: AuthorizationConsentReads, mfa: MfaPolicyPort, profile?: ProfilePromptPort, sharing?: BrandSharingPromptPort) {
  const policy = base();
  policy.add(createMfaPrompt(mfa), policy.findIndex((prompt) => prompt.name === 'login') + 1);
  const terms = new Prompt(
    { name: 'terms', requestable: false },
    new Check('terms_not_accepted', 'the current terms have not been accepted', 'interaction_required', async (ctx: KoaContextWithOIDC) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return Check.NO_NEED_TO_PROMPT;
      // Documents required of everyone, plus those this client requires (its foyer_documents); read with the grant's consent.
      const clientId = ctx.oidc.client?.clientId;
      const pending = clientId ? (await reads(ctx, accountId, clientId)).pending : await consent.pendingDocuments(accountId);
      return pending.length > 0 ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
    }),
  );
  policy.add(terms, policy.findIndex((prompt) => prompt.name === 'consent'));
  if (sharing) policy.add(createBrandSharingPrompt(sharing), policy.findIndex((prompt) => prompt.name === 'consent'));
  if (profile) policy.add(createProfilePrompt(profile));
  return policy;
}
