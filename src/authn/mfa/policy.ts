// Owns the pure MFA decision: is a second factor needed for this authorization, and does the session (or a
// remembered device) already satisfy it. Also what a sign-in's amr says about its factors. No I/O.

export const ACR_SINGLE_FACTOR = 'urn:foyer:acr:1fa';
export const ACR_TWO_FACTOR = 'urn:foyer:acr:2fa';
export const SUPPORTED_ACRS = [ACR_SINGLE_FACTOR, ACR_TWO_FACTOR];

export const CLIENT_MFA_POLICIES = ['off', 'optional', 'required'] as const;
export type ClientMfaPolicy = (typeof CLIENT_MFA_POLICIES)[number];

/** What a factor is, so two factors of the same kind (email code after email code) never count as two. */
export type FactorKind = 'knowledge' | 'email' | 'passkey' | 'possession-otp' | 'recovery-code';

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

/**
 * The kinds of the factors behind a sign-in's amr (RFC 8176 values). A sign-in whose amr is exactly
 * ['otp'] came from a mailed code (email-code sign-in or password reset): TOTP and recovery codes are
 * only ever second factors in Foyer, and a second factor always adds 'mfa'.
 */
export function factorKinds(amr: readonly string[] | undefined): Set<FactorKind> {
  const values = new Set(amr ?? []);
  const kinds = new Set<FactorKind>();
  if (values.has('pwd')) kinds.add('knowledge');
  if (values.has('hwk') || values.has('swk')) kinds.add('passkey');
  if (values.has('otp') && kinds.size === 0 && !values.has('mfa')) kinds.add('email');
  return kinds;
}

/** The amr on its own proves two factors: a finished MFA step, or a user-verified passkey. */
export function amrIsMultiFactor(amr: readonly string[] | undefined): boolean {
  const values = new Set(amr ?? []);
  return values.has('mfa') || ((values.has('hwk') || values.has('swk')) && values.has('user'));
}

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

export type SecondFactor = 'totp' | 'recovery-code' | 'email' | 'passkey';

const KIND_OF: Record<SecondFactor, FactorKind> = { totp: 'possession-otp', 'recovery-code': 'recovery-code', email: 'email', passkey: 'passkey' };
// RFC 8176 has no value of its own for recovery codes or mailed codes: all three are one-time passwords.
// A passkey's values (hwk or swk, plus user when verified) depend on the key and the ceremony: its verdict gives them.
const AMR_OF: Record<SecondFactor, string[]> = { totp: ['otp'], 'recovery-code': ['otp'], email: ['otp'], passkey: [] };

/**
 * The second factors the MFA step may offer after a first sign-in with `firstAmr`, given what the
 * account has: a factor of the same kind as the first never counts (no passkey after a passkey).
 */
export function offeredSecondFactors(firstAmr: readonly string[] | undefined, has: { totp: boolean; recoveryCodes: boolean; verifiedEmail: boolean; passkey?: boolean }): SecondFactor[] {
  const first = factorKinds(firstAmr);
  const available: SecondFactor[] = [];
  if (has.passkey) available.push('passkey');
  if (has.totp) available.push('totp');
  if (has.recoveryCodes) available.push('recovery-code');
  if (has.verifiedEmail) available.push('email');
  return available.filter((factor) => !first.has(KIND_OF[factor]));
}

/** The amr after a second factor: the first sign-in's values, the factor's (`factorAmr` for a passkey), and 'mfa'. */
export function amrAfterSecondFactor(firstAmr: readonly string[] | undefined, factor: SecondFactor, factorAmr: readonly string[] = AMR_OF[factor]): string[] {
  return [...new Set([...(firstAmr ?? []), ...factorAmr, 'mfa'])];
}

export function parseClientMfaPolicy(value: unknown): ClientMfaPolicy | undefined {
  return CLIENT_MFA_POLICIES.includes(value as ClientMfaPolicy) ? value as ClientMfaPolicy : undefined;
}
