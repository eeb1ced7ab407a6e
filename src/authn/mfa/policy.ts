// Owns the pure MFA decision: is a second factor needed for this authorization, and does the session (or a
// remembered device) already satisfy it. What a sign-in's amr says about its factors is each authenticator's
// own declaration (src/authn/registry.ts); this file only adds the step's rule that a second factor adds `mfa`.
import type { FactorKind, SecondFactor } from '../authenticator.ts';
import { amrOf, firstFactorKinds, kindOf, provesTwoFactors, SECOND_FACTORS } from '../registry.ts';

export type { FactorKind, SecondFactor } from '../authenticator.ts';

export const ACR_SINGLE_FACTOR = 'urn:foyer:acr:1fa';
export const ACR_TWO_FACTOR = 'urn:foyer:acr:2fa';
export const SUPPORTED_ACRS = [ACR_SINGLE_FACTOR, ACR_TWO_FACTOR];

export const CLIENT_MFA_POLICIES = ['off', 'optional', 'required'] as const;
export type ClientMfaPolicy = (typeof CLIENT_MFA_POLICIES)[number];

export interface MfaSituation {
  /** The client's `foyer_mfa` metadata; undefined means 'optional'. */
  clientPolicy: ClientMfaPolicy | undefined;
  /** The account turned MFA on (set when TOTP enrolment completes). */
  accountMfaEnabled: boolean;
  /** The request's acr_values (and claims-requested acr values). */
  requestedAcrs: readonly string[];
  /** What the current sign-in already did. */
  session: { amr?: readonly string[] | undefined; acr?: string | undefined };
  /** This browser holds a live remembered-device token for the account. */
  rememberedDevice: boolean;
}

/** 'link': an account link waits for this account's second factor (asked like a step-up; see authn/federation/link-proof.ts). */
export type MfaReason = 'step_up' | 'client' | 'account' | 'link';

export type MfaDecision =
  | { prompt: false; why: 'not_required' | 'satisfied' | 'remembered_device' }
  | { prompt: true; reason: MfaReason };

/** The kinds of the first factors behind a sign-in's amr, as the authenticators declare them. */
export const factorKinds = (amr: readonly string[] | undefined): Set<FactorKind> => firstFactorKinds(amr);

/** The amr on its own proves two factors: a finished MFA step, or an authenticator that proves two by itself. */
export const amrIsMultiFactor = (amr: readonly string[] | undefined): boolean => provesTwoFactors(amr);

/** The acr a sign-in with this amr earns. */
export function acrForAmr(amr: readonly string[] | undefined): string {
  return amrIsMultiFactor(amr) ? ACR_TWO_FACTOR : ACR_SINGLE_FACTOR;
}

export function sessionHasTwoFactors(session: MfaSituation['session']): boolean {
  return session.acr === ACR_TWO_FACTOR || amrIsMultiFactor(session.amr);
}

/** Why a second factor is needed, strongest first; undefined when nothing asks for one. */
export function mfaReason(situation: Pick<MfaSituation, 'clientPolicy' | 'accountMfaEnabled' | 'requestedAcrs'>): MfaReason | undefined {
  if (situation.requestedAcrs.includes(ACR_TWO_FACTOR)) return 'step_up';
  if (situation.clientPolicy === 'required') return 'client';
  if (situation.accountMfaEnabled) return 'account';
  return undefined;
}

/**
 * The decision. A remembered device satisfies the client's and the account's policy, never an
 * explicit step-up by acr_values: the relying app asked for a second factor now.
 */
export function decideMfa(situation: MfaSituation): MfaDecision {
  const reason = mfaReason(situation);
  if (!reason) return { prompt: false, why: 'not_required' };
  if (sessionHasTwoFactors(situation.session)) return { prompt: false, why: 'satisfied' };
  if (reason !== 'step_up' && situation.rememberedDevice) return { prompt: false, why: 'remembered_device' };
  return { prompt: true, reason };
}

/**
 * The second factors the MFA step may offer after a first sign-in with `firstAmr`, given what the
 * account has: a factor of the same kind as the first never counts (no passkey after a passkey).
 */
export function offeredSecondFactors(firstAmr: readonly string[] | undefined, has: { totp: boolean; recoveryCodes: boolean; verifiedEmail: boolean; passkey?: boolean }): SecondFactor[] {
  const first = factorKinds(firstAmr);
  const available: Record<SecondFactor, boolean> = { passkey: has.passkey ?? false, totp: has.totp, 'recovery-code': has.recoveryCodes, email: has.verifiedEmail };
  return SECOND_FACTORS.filter((factor) => available[factor] && !first.has(kindOf(factor)));
}

/** The amr after a second factor: the first sign-in's values, the factor's (`factorAmr` for a passkey), and 'mfa'. */
export function amrAfterSecondFactor(firstAmr: readonly string[] | undefined, factor: SecondFactor, factorAmr: readonly string[] = amrOf(factor)): string[] {
  return [...new Set([...(firstAmr ?? []), ...factorAmr, 'mfa'])];
}

export function parseClientMfaPolicy(value: unknown): ClientMfaPolicy | undefined {
  return CLIENT_MFA_POLICIES.includes(value as ClientMfaPolicy) ? value as ClientMfaPolicy : undefined;
}
