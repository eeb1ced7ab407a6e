// Owns the rule other modules ask before processing an account's data for a purpose: consent-based
// purposes need a grant on record, objectable ones (legitimate or public interest) stop on objection.
import type { Purpose } from './registry/registry.ts';

export type ProcessingReason = 'unknown_purpose' | 'consented' | 'no_consent' | 'consent_withdrawn' | 'objected' | 'legal_basis';

export interface ProcessingDecision {
  allowed: boolean;
  reason: ProcessingReason;
}

/** `latest` is the account's newest ledger action on the purpose, if any. */
export function decideProcessing(purpose: Purpose | undefined, latest: { action: 'grant' | 'withdraw' } | undefined): ProcessingDecision {
  if (!purpose) return { allowed: false, reason: 'unknown_purpose' };
  if (purpose.needsConsent) {
    if (latest?.action === 'grant') return { allowed: true, reason: 'consented' };
    return { allowed: false, reason: latest ? 'consent_withdrawn' : 'no_consent' };
  }
  if (purpose.objectable && latest?.action === 'withdraw') return { allowed: false, reason: 'objected' };
  return { allowed: true, reason: 'legal_basis' };
}
