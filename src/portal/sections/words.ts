// Owns the account pages' words for verdicts that other modules return (removal refusals, code and TOTP
// verdicts, throttles, scopes, legal bases, release reasons): each a catalogue message in the reader's
// language. The modules' own English descriptions stay for the Account API's JSON.
import type { TotpVerdict } from '../../authn/totp/totp.ts';
import type { LegalBasis } from '../../config/consent-schema.ts';
import type { ReleaseReason } from '../../consent/release-rule.ts';
import { t } from '../../i18n/translate.ts';

/** "Too many attempts. Try again in N minutes" (or seconds, under a minute and a half). */
export function tooManyAttempts(seconds: number): string {
  return seconds >= 90 ? t('portal.common.too_many_attempts', { minutes: Math.ceil(seconds / 60) }) : t('portal.common.too_many_attempts_seconds', { seconds });
}

export function describeRefusal(verdict: 'last_sign_in_method' | 'last_second_factor'): string {
  return verdict === 'last_sign_in_method' ? t('portal.common.refusal.last_sign_in_method') : t('portal.common.refusal.last_second_factor');
}

export function describeCode(verdict: 'invalid' | 'expired' | 'exhausted'): string {
  return t(verdict === 'invalid' ? 'portal.common.code_invalid' : verdict === 'expired' ? 'portal.common.code_expired' : 'portal.common.code_exhausted');
}

export function describeTotpVerdict(verdict: { status: Exclude<TotpVerdict['status'], 'ok'> | string; retryAfterSeconds?: number }): string {
  switch (verdict.status) {
    case 'throttled': return t('portal.common.too_many_attempts', { minutes: Math.ceil((verdict.retryAfterSeconds ?? 60) / 60) });
    case 'reused': return t('portal.security.totp_reused');
    case 'not_enrolled': return t('portal.security.totp_not_enrolled');
    default: return t('portal.security.totp_invalid');
  }
}

const PASSKEY_REFUSALS: Record<string, string> = {
  malformed: 'portal.security.passkey_malformed', challenge: 'portal.security.passkey_challenge', origin: 'portal.security.passkey_origin',
  rp_id: 'portal.security.passkey_origin', user_presence: 'portal.security.passkey_user_presence', signature: 'portal.security.passkey_signature',
  duplicate: 'portal.security.passkey_duplicate',
};
export const describePasskeyRefusal = (reason: string) => t(PASSKEY_REFUSALS[reason] ?? 'portal.security.passkey_signature');

const SCOPES = new Set(['openid', 'email', 'profile', 'address', 'phone', 'offline_access', 'account']);
/** What a standard scope lets an app have, in words; a custom scope shows its name. */
export const describeScope = (scope: string) => (SCOPES.has(scope) ? t(`portal.scope.${scope}`) : scope);

const BASES = new Set<string>(['consent', 'contract', 'legitimate_interest', 'legal_obligation', 'public_interest', 'vital_interest'] satisfies LegalBasis[]);
export const legalBasisName = (basis: string) => (BASES.has(basis) ? t(`portal.basis.${basis}`) : basis);

export const releaseReasonText = (reason: ReleaseReason, purpose: string) => t(`portal.release.${reason}`, { purpose });

const CHANNELS = new Set(['email', 'sms', 'push']);
export const channelName = (channel: string) => (CHANNELS.has(channel) ? t(`portal.channel.${channel}`) : channel);
