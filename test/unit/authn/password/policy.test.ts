import { describe, expect, it } from 'vitest';
import { checkPassword } from '../../../../src/authn/password/policy.ts';

const policy = { minLength: 10, maxLength: 64 };

describe('password policy', () => {
  it('accepts a long, uncommon password', () => {
    expect(checkPassword('violet tractor harbour', policy)).toBeUndefined();
  });
  it('counts characters, not bytes', () => {
    expect(checkPassword('ééééééééé', policy)).toBe('too_short');
    expect(checkPassword('éééééééééé', policy)).toBeUndefined();
  });
  it('refuses short, overlong and common passwords (case-insensitively)', () => {
    expect(checkPassword('short', policy)).toBe('too_short');
    expect(checkPassword('x'.repeat(65), policy)).toBe('too_long');
    expect(checkPassword('password1234', policy)).toBe('too_common');
    expect(checkPassword('QWERTYUIOP', policy)).toBe('too_common');
  });
  it('refuses a password made of the email', () => {
    expect(checkPassword('grace.hopper@example.com', policy, 'grace.hopper@example.com')).toBe('contains_email');
    expect(checkPassword('my grace.hopper secret', policy, 'grace.hopper@example.com')).toBe('contains_email');
  });
});
