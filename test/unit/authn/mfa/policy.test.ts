// The MFA decision as a pure function: every rule that makes a second factor needed, and every way one is satisfied.
import { describe, expect, it } from 'vitest';
import {
  ACR_SINGLE_FACTOR, ACR_TWO_FACTOR, acrForAmr, amrAfterSecondFactor, decideMfa, factorKinds, mfaReason, offeredSecondFactors,
  parseClientMfaPolicy, type MfaSituation,
} from '../../../../src/authn/mfa/policy.ts';

const password = { amr: ['pwd'], acr: ACR_SINGLE_FACTOR };
const situation = (over: Partial<MfaSituation> = {}): MfaSituation => ({
  clientPolicy: undefined, accountMfaEnabled: false, requestedAcrs: [], session: password, rememberedDevice: false, ...over,
});

describe('when a second factor is needed', () => {
  it('is not, when neither the client, the account nor the request asks', () => {
    expect(decideMfa(situation())).toEqual({ prompt: false, why: 'not_required' });
    expect(decideMfa(situation({ clientPolicy: 'optional' }))).toEqual({ prompt: false, why: 'not_required' });
    expect(decideMfa(situation({ clientPolicy: 'off', requestedAcrs: [ACR_SINGLE_FACTOR] }))).toEqual({ prompt: false, why: 'not_required' });
  });

  it('is, when the client requires it', () => {
    expect(decideMfa(situation({ clientPolicy: 'required' }))).toEqual({ prompt: true, reason: 'client' });
  });

  it('is, when the account turned MFA on, whatever the client says', () => {
    for (const clientPolicy of [undefined, 'off', 'optional'] as const) {
      expect(decideMfa(situation({ clientPolicy, accountMfaEnabled: true }))).toEqual({ prompt: true, reason: 'account' });
    }
  });

  it('is, when acr_values asks for urn:foyer:acr:2fa (step-up), and that reason wins over the others', () => {
    expect(decideMfa(situation({ requestedAcrs: [ACR_TWO_FACTOR] }))).toEqual({ prompt: true, reason: 'step_up' });
    expect(decideMfa(situation({ requestedAcrs: [ACR_SINGLE_FACTOR, ACR_TWO_FACTOR], clientPolicy: 'required', accountMfaEnabled: true })))
      .toEqual({ prompt: true, reason: 'step_up' });
    expect(mfaReason({ clientPolicy: 'required', accountMfaEnabled: true, requestedAcrs: [] })).toBe('client');
  });
});

describe('when the need is already met', () => {
  it('a session that finished the MFA step (acr 2fa, amr with mfa) satisfies every reason, step-up included', () => {
    const done = { amr: ['pwd', 'otp', 'mfa'], acr: ACR_TWO_FACTOR };
    for (const over of [{ clientPolicy: 'required' as const }, { accountMfaEnabled: true }, { requestedAcrs: [ACR_TWO_FACTOR] }]) {
      expect(decideMfa(situation({ ...over, session: done }))).toEqual({ prompt: false, why: 'satisfied' });
    }
    expect(decideMfa(situation({ clientPolicy: 'required', session: { amr: ['pwd'], acr: ACR_TWO_FACTOR } }))).toEqual({ prompt: false, why: 'satisfied' });
  });

  it('a user-verified passkey counts as two factors; one without user verification does not', () => {
    expect(decideMfa(situation({ requestedAcrs: [ACR_TWO_FACTOR], session: { amr: ['hwk', 'user'], acr: ACR_SINGLE_FACTOR } }))).toEqual({ prompt: false, why: 'satisfied' });
    expect(decideMfa(situation({ clientPolicy: 'required', session: { amr: ['swk', 'user'] } }))).toEqual({ prompt: false, why: 'satisfied' });
    expect(decideMfa(situation({ clientPolicy: 'required', session: { amr: ['hwk'] } }))).toEqual({ prompt: true, reason: 'client' });
  });

  it('a single factor, however strong-sounding, does not: a password, or an emailed code', () => {
    expect(decideMfa(situation({ clientPolicy: 'required', session: { amr: ['otp'], acr: ACR_SINGLE_FACTOR } }))).toEqual({ prompt: true, reason: 'client' });
    expect(decideMfa(situation({ accountMfaEnabled: true, session: { amr: ['pwd'] } }))).toEqual({ prompt: true, reason: 'account' });
    expect(decideMfa(situation({ clientPolicy: 'required', session: {} }))).toEqual({ prompt: true, reason: 'client' });
  });

  it('a remembered device satisfies the client and the account policy, never a step-up', () => {
    expect(decideMfa(situation({ clientPolicy: 'required', rememberedDevice: true }))).toEqual({ prompt: false, why: 'remembered_device' });
    expect(decideMfa(situation({ accountMfaEnabled: true, rememberedDevice: true }))).toEqual({ prompt: false, why: 'remembered_device' });
    expect(decideMfa(situation({ requestedAcrs: [ACR_TWO_FACTOR], clientPolicy: 'required', rememberedDevice: true }))).toEqual({ prompt: true, reason: 'step_up' });
  });
});

describe('factor kinds', () => {
  it('reads the first sign-in: password is knowledge, a passkey is a passkey, a lone otp is a mailed code', () => {
    expect([...factorKinds(['pwd'])]).toEqual(['knowledge']);
    expect([...factorKinds(['hwk', 'user'])]).toEqual(['passkey']);
    expect([...factorKinds(['otp'])]).toEqual(['email']);
    expect([...factorKinds(['pwd', 'otp', 'mfa'])]).toEqual(['knowledge']);
    expect([...factorKinds(undefined)]).toEqual([]);
  });

  it('never offers a second factor of the same kind as the first: no email code after an email code', () => {
    const all = { totp: true, recoveryCodes: true, verifiedEmail: true };
    expect(offeredSecondFactors(['pwd'], all)).toEqual(['totp', 'recovery-code', 'email']);
    expect(offeredSecondFactors(['otp'], all)).toEqual(['totp', 'recovery-code']);
    expect(offeredSecondFactors(['hwk'], all)).toEqual(['totp', 'recovery-code', 'email']);
  });

  it('offers only what the account has', () => {
    expect(offeredSecondFactors(['pwd'], { totp: false, recoveryCodes: false, verifiedEmail: true })).toEqual(['email']);
    expect(offeredSecondFactors(['pwd'], { totp: true, recoveryCodes: false, verifiedEmail: false })).toEqual(['totp']);
    expect(offeredSecondFactors(['otp'], { totp: false, recoveryCodes: false, verifiedEmail: true })).toEqual([]);
  });
});

describe('amr and acr after the step', () => {
  it('unites the first factor with the second and adds mfa, without duplicates', () => {
    expect(amrAfterSecondFactor(['pwd'], 'totp')).toEqual(['pwd', 'otp', 'mfa']);
    expect(amrAfterSecondFactor(['hwk'], 'recovery-code')).toEqual(['hwk', 'otp', 'mfa']);
    expect(amrAfterSecondFactor(['pwd'], 'email')).toEqual(['pwd', 'otp', 'mfa']);
    expect(amrAfterSecondFactor(undefined, 'totp')).toEqual(['otp', 'mfa']);
  });

  it('gives acr 2fa only to multi-factor amr', () => {
    expect(acrForAmr(['pwd'])).toBe(ACR_SINGLE_FACTOR);
    expect(acrForAmr(['otp'])).toBe(ACR_SINGLE_FACTOR);
    expect(acrForAmr(['hwk'])).toBe(ACR_SINGLE_FACTOR);
    expect(acrForAmr(['swk', 'user'])).toBe(ACR_TWO_FACTOR);
    expect(acrForAmr(['pwd', 'otp', 'mfa'])).toBe(ACR_TWO_FACTOR);
  });
});

describe('client policy metadata', () => {
  it('accepts off, optional and required, nothing else', () => {
    expect(['off', 'optional', 'required'].map(parseClientMfaPolicy)).toEqual(['off', 'optional', 'required']);
    expect(parseClientMfaPolicy('yes')).toBeUndefined();
    expect(parseClientMfaPolicy(undefined)).toBeUndefined();
    expect(parseClientMfaPolicy(true)).toBeUndefined();
  });
});
