// Owns what the authenticator app declares (src/authn/authenticator.ts): a second factor only, amr otp.
import type { AuthenticatorDeclaration } from '../authenticator.ts';

export const TOTP: AuthenticatorDeclaration = {
  id: 'totp', factor: 'second', kind: 'possession-otp', amr: ['otp'],
  usedFirst: () => false,
};
