// The authenticators' declarations decide what a sign-in's amr shows (each recognises itself), and the registry
// checks an input against the authenticator's schema before its verify runs.
import { describe, expect, it } from 'vitest';
import { AUTHENTICATORS, createAuthenticatorRegistry, firstFactorKinds, provesTwoFactors, SECOND_FACTORS, declarationOf } from '../../../src/authn/registry.ts';
import { totpAuthenticator } from '../../../src/authn/totp/authenticator.ts';
import { recoveryCodeAuthenticator } from '../../../src/authn/recovery-codes/authenticator.ts';
import type { TotpVerdict } from '../../../src/authn/totp/totp.ts';
import { passwordAuthenticator } from '../../../src/authn/password/as-authenticator.ts';
import { emailCodeAuthenticator } from '../../../src/authn/email-code/as-authenticator.ts';

describe('the authenticator declarations', () => {
  it('have one id each, and every second factor can be one', () => {
    expect(new Set(AUTHENTICATORS.map((a) => a.id)).size).toBe(AUTHENTICATORS.length);
    for (const factor of SECOND_FACTORS) expect(declarationOf(factor).factor).not.toBe('first');
  });

  it('recognise the first factor of a sign-in from its amr', () => {
    expect([...firstFactorKinds(['pwd'])]).toEqual(['knowledge']);
    expect([...firstFactorKinds(['otp'])]).toEqual(['email']);
    expect([...firstFactorKinds(['hwk', 'user'])]).toEqual(['passkey']);
    expect([...firstFactorKinds(['fed'])]).toEqual(['federation']);
    // A second factor's otp (after mfa) is not a mailed first factor.
    expect([...firstFactorKinds(['pwd', 'otp', 'mfa'])]).toEqual(['knowledge']);
    expect([...firstFactorKinds(undefined)]).toEqual([]);
  });

  it('say when an amr proves two factors on its own', () => {
    expect(provesTwoFactors(['hwk', 'user'])).toBe(true);
    expect(provesTwoFactors(['swk'])).toBe(false);
    expect(provesTwoFactors(['pwd', 'otp', 'mfa'])).toBe(true);
    expect(provesTwoFactors(['pwd'])).toBe(false);
  });
});

describe('the registry', () => {
  const totpVerdicts: TotpVerdict[] = [];
  const registry = createAuthenticatorRegistry([
    totpAuthenticator({ verifyTotp: async () => totpVerdicts.shift() ?? { status: 'invalid' } }),
    recoveryCodeAuthenticator({ useRecoveryCode: async ({ code }) => ({ status: code === 'good-code' ? 'ok' : 'invalid' }) }),
  ]);
  const context = { accountId: 'acct-1', address: '192.0.2.1' };

  it('verifies through the authenticator and gives its amr', async () => {
    totpVerdicts.push({ status: 'ok' });
    expect(await registry.verify('totp', { code: '123456' }, context)).toEqual({ status: 'ok', accountId: 'acct-1', amr: ['otp'] });
    expect(await registry.verify('recovery-code', { code: 'good-code' }, context)).toEqual({ status: 'ok', accountId: 'acct-1', amr: ['otp'] });
  });

  it('passes refusals on with their reason, and a throttle with its wait', async () => {
    totpVerdicts.push({ status: 'reused' }, { status: 'throttled', retryAfterSeconds: 30 });
    expect(await registry.verify('totp', { code: '123456' }, context)).toEqual({ status: 'refused', reason: 'reused' });
    expect(await registry.verify('totp', { code: '123456' }, context)).toEqual({ status: 'throttled', retryAfterSeconds: 30 });
    expect(await registry.verify('recovery-code', { code: 'bad' }, context)).toEqual({ status: 'refused', reason: 'invalid' });
  });

  it('refuses input its schema does not accept, and an authenticator it does not hold, without calling anything', async () => {
    expect(await registry.verify('totp', { code: 123456 }, context)).toEqual({ status: 'refused', reason: 'invalid' });
    expect(await registry.verify('passkey', { response: '{}' }, context)).toEqual({ status: 'refused', reason: 'unavailable' });
    expect(await registry.verify('totp', { code: '123456' }, { address: '192.0.2.1' })).toEqual({ status: 'refused', reason: 'unavailable' });
  });

  it('holds each authenticator once', () => {
    const totp = totpAuthenticator({ verifyTotp: async () => ({ status: 'ok' }) });
    expect(() => createAuthenticatorRegistry([totp, totp])).toThrow(/twice/);
  });
});

describe('the first factors behind the interface', () => {
  const until = new Date('2027-01-01T00:00:00Z');
  const registry = createAuthenticatorRegistry([
    passwordAuthenticator({
      verifySignInPassword: async ({ password }) => password === 'right one' ? { status: 'ok', accountId: 'acct-1', amr: ['pwd'] }
        : password === 'leaving' ? { status: 'erasure_pending', pendingAccountId: 'acct-2', eraseAfter: until } : { status: 'invalid' },
    }),
    emailCodeAuthenticator({ verifyEmailCode: async ({ interactionUid, code }) => (code === '123456' && interactionUid === 'uid-1' ? { status: 'ok', accountId: 'acct-1' } : { status: 'expired' }) }),
  ]);

  it('a password: ok with pwd, a wrong one refused, the right one of an account waiting for erasure held (told to its owner only)', async () => {
    expect(await registry.verify('password', { email: 'a@example.com', password: 'right one' }, { address: '192.0.2.1' })).toEqual({ status: 'ok', accountId: 'acct-1', amr: ['pwd'] });
    expect(await registry.verify('password', { email: 'a@example.com', password: 'wrong' }, { address: '192.0.2.1' })).toEqual({ status: 'refused', reason: 'invalid' });
    expect(await registry.verify('password', { email: 'a@example.com', password: 'leaving' }, { address: '192.0.2.1' })).toEqual({ status: 'held', reason: 'erasure_pending', accountId: 'acct-2', until });
    expect(await registry.verify('password', { email: 'a@example.com', password: '' }, { address: '192.0.2.1' })).toEqual({ status: 'refused', reason: 'invalid' });
  });

  it('a mailed code: bound to the interaction that asked for it, amr otp', async () => {
    expect(await registry.verify('email-code', { code: '123456' }, { address: '192.0.2.1', scope: 'uid-1' })).toEqual({ status: 'ok', accountId: 'acct-1', amr: ['otp'] });
    expect(await registry.verify('email-code', { code: '123456' }, { address: '192.0.2.1', scope: 'uid-2' })).toEqual({ status: 'refused', reason: 'expired' });
    expect(await registry.verify('email-code', { code: '123456' }, { address: '192.0.2.1' })).toEqual({ status: 'refused', reason: 'unavailable' });
  });
});

