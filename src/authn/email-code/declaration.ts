// Owns what a mailed code declares (src/authn/authenticator.ts), as a first factor (email-code sign-in, a
// mailed link, a password reset) and as a second factor (a code to the verified address). RFC 8176 has no
// value of its own for a mailed code: it is a one-time password, `otp`.
import type { AuthenticatorDeclaration } from '../authenticator.ts';

export const EMAIL_CODE: AuthenticatorDeclaration = {
  id: 'email-code', factor: 'first', kind: 'email', amr: ['otp'],
  // TOTP and recovery codes are only ever second factors, and a second factor always adds `mfa`: so an `otp`
  // beside no other first factor and no `mfa` was a mailed code.
  usedFirst: (amr) => amr.has('otp') && !amr.has('mfa') && !amr.has('pwd') && !amr.has('hwk') && !amr.has('swk'),
};

export const MAILED_SECOND_FACTOR: AuthenticatorDeclaration = {
  id: 'email', factor: 'second', kind: 'email', amr: ['otp'],
  usedFirst: () => false,
};
