// Owns what a recovery code declares (src/authn/authenticator.ts): a second factor only; RFC 8176 has no
// value of its own for it, so it is a one-time password, `otp`.
import type { AuthenticatorDeclaration } from '../authenticator.ts';

export const RECOVERY_CODE: AuthenticatorDeclaration = {
  id: 'recovery-code', factor: 'second', kind: 'recovery-code', amr: ['otp'],
  usedFirst: () => false,
};
