// Owns what social login declares (src/authn/authenticator.ts): a first factor, vouched for by the upstream (amr fed).
import type { AuthenticatorDeclaration } from '../authenticator.ts';

export const FEDERATION: AuthenticatorDeclaration = {
  id: 'federation', factor: 'first', kind: 'federation', amr: ['fed'],
  usedFirst: (amr) => amr.has('fed'),
};
