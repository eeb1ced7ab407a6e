// Owns what the password authenticator declares (src/authn/authenticator.ts): a first factor of knowledge, amr pwd.
import type { AuthenticatorDeclaration } from '../authenticator.ts';

export const PASSWORD: AuthenticatorDeclaration = {
  id: 'password', factor: 'first', kind: 'knowledge', amr: ['pwd'],
  usedFirst: (amr) => amr.has('pwd'),
};
