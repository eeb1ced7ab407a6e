// Owns the release rule: whether data held for a purpose may leave Foyer now, from the purpose's legal basis
// and the customer's state on it. Pure; every place that releases a field (claims, webhooks, pages) asks it.
import type { LegalBasis } from '../config/consent-schema.ts';

/**
 * The customer's state on a purpose: `given` (consent given, or an objection taken back), `withdrawn`
 * (consent withdrawn), `objected`, `never_asked` (nothing on record), `restricted` (the account restricted
 * processing, GDPR Art. 18, whatever its ledger says).
 */
export type PurposeState = 'given' | 'withdrawn' | 'objected' | 'never_asked' | 'restricted';

export type ReleaseReason = 'consented' | 'legal_basis' | 'no_consent' | 'consent_withdrawn' | 'objected' | 'restricted' | 'unknown_purpose';

export interface ReleaseDecision {
  released: boolean;
  reason: ReleaseReason;
}

/** Bases under which the customer may object (GDPR Art. 21(1): public interest, legitimate interest). */
export const OBJECTABLE_BASES: ReadonlySet<LegalBasis> = new Set(['legitimate_interest', 'public_interest']);

/**
 * Bases processing may still rest on while restricted: contract and legal obligation (Art. 18 keeps what is
 * needed for legal claims and duties), and vital interest — Art. 18(2) allows processing to protect another
 * person's rights and Art. 6(1)(d) exists for when a life or health is at stake, so restriction does not stop it.
 */
export const RESTRICTION_PROOF_BASES: ReadonlySet<LegalBasis> = new Set(['contract', 'legal_obligation', 'vital_interest']);

/** The state from the account's newest ledger action on the purpose (grant or withdraw) and its restriction flag. */
export function purposeStateOf(basis: LegalBasis, latest: { action: 'grant' | 'withdraw' } | undefined, restricted: boolean): PurposeState {
  if (restricted) return 'restricted';
  if (!latest) return 'never_asked';
  if (latest.action === 'grant') return 'given';
  // A withdraw record on an objectable purpose is an objection; on a consent purpose a withdrawal.
  return OBJECTABLE_BASES.has(basis) ? 'objected' : 'withdrawn';
}

/** The one rule: may data held for a purpose of this basis leave Foyer for a customer in this state? */
export function decideRelease(input: { basis: LegalBasis | undefined; state: PurposeState }): ReleaseDecision {
  const { basis, state } = input;
  if (!basis) return { released: false, reason: 'unknown_purpose' };
  if (state === 'restricted') return RESTRICTION_PROOF_BASES.has(basis) ? { released: true, reason: 'legal_basis' } : { released: false, reason: 'restricted' };
  if (basis === 'consent') {
    if (state === 'given') return { released: true, reason: 'consented' };
    if (state === 'objected') return { released: false, reason: 'objected' };
    return { released: false, reason: state === 'withdrawn' ? 'consent_withdrawn' : 'no_consent' };
  }
  if (OBJECTABLE_BASES.has(basis) && state === 'objected') return { released: false, reason: 'objected' };
  // Contract, legal obligation and vital interest do not depend on the customer's choices; an objection
  // to them has no effect (Art. 21 covers only public and legitimate interest).
  return { released: true, reason: 'legal_basis' };
}
