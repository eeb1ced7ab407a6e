// What an upstream identity may do: the pure decision behind social sign-in and safe account linking.
import { describe, expect, it } from 'vitest';
import { decideFederatedSignIn } from '../../../../src/authn/federation/decide.ts';

const verified = { subject: 's1', email: 'a@example.com', emailVerified: true, profile: {} };

describe('decideFederatedSignIn', () => {
  it('signs in the linked account, whatever the email says', () => {
    expect(decideFederatedSignIn({ upstream: { ...verified, emailVerified: false }, linked: { id: 'acc', status: 'active' }, byEmail: undefined }))
      .toEqual({ action: 'sign_in', accountId: 'acc' });
  });
  it('refuses a linked account that is disabled or erased', () => {
    expect(decideFederatedSignIn({ upstream: verified, linked: { id: 'acc', status: 'disabled' }, byEmail: undefined }).action).toBe('refused');
  });
  it('creates an account for a verified email nobody holds', () => {
    expect(decideFederatedSignIn({ upstream: verified, linked: undefined, byEmail: undefined })).toEqual({ action: 'create_account', email: 'a@example.com' });
  });
  it('asks for proof of ownership when a verified email belongs to an account', () => {
    for (const status of ['active', 'restricted'] as const) {
      expect(decideFederatedSignIn({ upstream: verified, linked: undefined, byEmail: { id: 'acc', status } }))
        .toEqual({ action: 'prove_ownership', accountId: 'acc', email: 'a@example.com' });
    }
  });
  it('asks the owner of a lite account (no password yet) to prove the address before the link activates it', () => {
    expect(decideFederatedSignIn({ upstream: verified, linked: undefined, byEmail: { id: 'acc', status: 'lite' } }))
      .toEqual({ action: 'prove_ownership', accountId: 'acc', email: 'a@example.com' });
    expect(decideFederatedSignIn({ upstream: { ...verified, emailVerified: false }, linked: undefined, byEmail: { id: 'acc', status: 'lite' } }).action).toBe('email_unconfirmed');
  });
  it('never links or creates on a missing or unverified email, even when an account holds it', () => {
    expect(decideFederatedSignIn({ upstream: { ...verified, emailVerified: false }, linked: undefined, byEmail: { id: 'acc', status: 'active' } }).action).toBe('email_unconfirmed');
    expect(decideFederatedSignIn({ upstream: { subject: 's', email: null, emailVerified: true, profile: {} }, linked: undefined, byEmail: undefined }).action).toBe('email_unconfirmed');
  });
});
