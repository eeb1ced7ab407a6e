// Owns what a passkey declares (src/authn/authenticator.ts): a first or second factor; its amr values (hwk or
// swk, plus user when the person was verified) come from the key and the ceremony; user-verified, it proves two
// factors on its own.
import type { AuthenticatorDeclaration } from '../authenticator.ts';

const isPasskey = (amr: ReadonlySet<string>) => amr.has('hwk') || amr.has('swk');

export const PASSKEY: AuthenticatorDeclaration = {
  id: 'passkey', factor: 'both', kind: 'passkey', amr: [],
  usedFirst: isPasskey,
  provesTwoFactors: (amr) => isPasskey(amr) && amr.has('user'),
};
