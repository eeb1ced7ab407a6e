// The lock-out rules of the account pages: the last sign-in method never goes, and with two-step on the
// last second factor stays until two-step is turned off.
import { describe, expect, it } from 'vitest';
import { countSignInMethods, decideRemoval, type SignInInventory } from '../../../src/authn/sign-in-methods.ts';

const none: SignInInventory = { password: false, passkeys: 0, links: 0, verifiedEmail: false, totp: false, mfaEnabled: false };

describe('decideRemoval', () => {
  it('counts a password, each passkey, each link and a verified email as sign-in methods', () => {
    expect(countSignInMethods({ ...none, password: true, passkeys: 2, links: 1, verifiedEmail: true })).toBe(5);
    expect(countSignInMethods(none)).toBe(0);
  });

  it('refuses to unlink the only link of an account without password, passkey or verified email', () => {
    expect(decideRemoval({ ...none, links: 1 }, 'link')).toBe('last_sign_in_method');
    expect(decideRemoval({ ...none, links: 1, verifiedEmail: true }, 'link')).toBe('ok');
    expect(decideRemoval({ ...none, links: 1, password: true }, 'link')).toBe('ok');
    expect(decideRemoval({ ...none, links: 2 }, 'link')).toBe('ok');
  });

  it('refuses to remove the only passkey when nothing else signs in', () => {
    expect(decideRemoval({ ...none, passkeys: 1 }, 'passkey')).toBe('last_sign_in_method');
    expect(decideRemoval({ ...none, passkeys: 1, links: 1 }, 'passkey')).toBe('ok');
  });

  it('with two-step on, keeps the last second factor (app or passkey); with it off, either may go', () => {
    const on = { ...none, password: true, mfaEnabled: true };
    expect(decideRemoval({ ...on, totp: true }, 'totp')).toBe('last_second_factor');
    expect(decideRemoval({ ...on, passkeys: 1 }, 'passkey')).toBe('last_second_factor');
    expect(decideRemoval({ ...on, totp: true, passkeys: 1 }, 'totp')).toBe('ok');
    expect(decideRemoval({ ...on, totp: true, passkeys: 1 }, 'passkey')).toBe('ok');
    expect(decideRemoval({ ...none, password: true, totp: true }, 'totp')).toBe('ok');
    // Unlinking never touches second factors.
    expect(decideRemoval({ ...on, totp: true, links: 1 }, 'link')).toBe('ok');
  });
});
