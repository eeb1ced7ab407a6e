// TOTP matching (±1 step) and recovery-code normalisation: the pure parts of the second factors.
import { TOTP, Secret } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { formatTotpSecret, matchTotpStep, newTotpSecret, totpUri } from '../../../../src/authn/totp/totp.ts';
import { normalizeRecoveryCode } from '../../../../src/authn/recovery-codes/recovery-codes.ts';

const codeAt = (secret: string, ms: number) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: ms });

describe('TOTP', () => {
  const secret = newTotpSecret();
  const now = Date.UTC(2026, 10, 22, 12, 0, 15);
  const step = Math.floor(now / 30_000);

  it('makes 160-bit base32 seeds and an otpauth:// URI apps understand', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri(secret, 'Foyer', 'ada@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Foyer');
    expect(formatTotpSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
  });

  it('accepts the current code and the ones a step either side, naming their step', () => {
    expect(matchTotpStep(secret, codeAt(secret, now), now)).toBe(step);
    expect(matchTotpStep(secret, codeAt(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchTotpStep(secret, codeAt(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchTotpStep(secret, ` ${codeAt(secret, now).slice(0, 3)} ${codeAt(secret, now).slice(3)} `, now)).toBe(step);
  });

  it('refuses codes two steps away, another seed\'s code, and anything not six digits', () => {
    expect(matchTotpStep(secret, codeAt(secret, now - 60_000), now)).toBeUndefined();
    expect(matchTotpStep(secret, codeAt(secret, now + 60_000), now)).toBeUndefined();
    const other = newTotpSecret();
    const foreign = codeAt(other, now);
    if (![-1, 0, 1].some((d) => codeAt(secret, now + d * 30_000) === foreign)) expect(matchTotpStep(secret, foreign, now)).toBeUndefined();
    expect(matchTotpStep(secret, '12345', now)).toBeUndefined();
    expect(matchTotpStep(secret, 'abcdef', now)).toBeUndefined();
  });
});

describe('recovery codes', () => {
  it('ignore case, spaces and dashes as typed', () => {
    expect(normalizeRecoveryCode(' ABCDE-fghjk ')).toBe('abcdefghjk');
    expect(normalizeRecoveryCode('abcde fghjk')).toBe('abcdefghjk');
  });
});
