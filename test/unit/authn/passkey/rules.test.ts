// The passkey rules that need no database: the amr of a passkey sign-in (RFC 8176), when the offer is
// due, and the names a passkey may carry.
import { describe, expect, it } from 'vitest';
import { passkeyAmr } from '../../../../src/authn/passkey/assertion.ts';
import { cleanPasskeyName, defaultPasskeyName } from '../../../../src/authn/passkey/manage.ts';
import { offerDue, OFFER_BACKOFF_DAYS } from '../../../../src/authn/passkey/offer.ts';

describe('passkeyAmr', () => {
  it('says hwk for a device-bound passkey and swk for a synced or backed-up one, plus user when verified', () => {
    expect(passkeyAmr({ deviceType: 'singleDevice', backedUp: false, userVerified: true })).toEqual(['hwk', 'user']);
    expect(passkeyAmr({ deviceType: 'multiDevice', backedUp: false, userVerified: true })).toEqual(['swk', 'user']);
    expect(passkeyAmr({ deviceType: 'multiDevice', backedUp: true, userVerified: true })).toEqual(['swk', 'user']);
    expect(passkeyAmr({ deviceType: 'singleDevice', backedUp: true, userVerified: true })).toEqual(['swk', 'user']);
    expect(passkeyAmr({ deviceType: 'singleDevice', backedUp: false, userVerified: false })).toEqual(['hwk']);
  });
});

describe('offerDue', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

  it('offers to an account without a passkey that never declined', () => {
    expect(offerDue({ hasPasskey: false, declinedAt: null }, now)).toBe(true);
  });
  it('never offers to an account that has a passkey', () => {
    expect(offerDue({ hasPasskey: true, declinedAt: null }, now)).toBe(false);
  });
  it('waits 30 days after "Not now"', () => {
    expect(OFFER_BACKOFF_DAYS).toBe(30);
    expect(offerDue({ hasPasskey: false, declinedAt: daysAgo(1) }, now)).toBe(false);
    expect(offerDue({ hasPasskey: false, declinedAt: daysAgo(29.9) }, now)).toBe(false);
    expect(offerDue({ hasPasskey: false, declinedAt: daysAgo(30) }, now)).toBe(true);
  });
});

describe('passkey names', () => {
  it('are trimmed, 1 to 64 characters, without control characters', () => {
    expect(cleanPasskeyName('  Work   laptop ')).toBe('Work laptop');
    expect(cleanPasskeyName('')).toBeUndefined();
    expect(cleanPasskeyName('   ')).toBeUndefined();
    expect(cleanPasskeyName('x'.repeat(65))).toBeUndefined();
    expect(cleanPasskeyName('🔑'.repeat(64))).toBe('🔑'.repeat(64));
    expect(cleanPasskeyName('bad\u0007name')).toBeUndefined();
  });
  it('default to the platform named by the user agent', () => {
    expect(defaultPasskeyName('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)')).toBe('Passkey on iPhone or iPad');
    expect(defaultPasskeyName('Mozilla/5.0 (Linux; Android 14; Pixel 8)')).toBe('Passkey on Android');
    expect(defaultPasskeyName('Mozilla/5.0 (Windows NT 10.0; Win64; x64)')).toBe('Passkey on Windows');
    expect(defaultPasskeyName(undefined)).toBe('Passkey');
  });
});
