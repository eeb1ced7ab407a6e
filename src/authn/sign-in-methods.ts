// Owns the lock-out rules for the account pages: which sign-in methods and second factors an account has,
// and whether removing one would leave it unable to sign in (never) or with two-step on and no factor.
//
// The rule: sign-in methods are the password, each passkey, each linked social account, and a verified
// email address (anyone holding it can sign in with a mailed code). The last one is never removed. With
// two-step verification on, the last second factor (authenticator app or passkey) is not removed either:
// turn two-step off first. Recovery codes are a backup, not a factor of their own here.

export interface SignInInventory {
  password: boolean;
  passkeys: number;
  links: number;
  verifiedEmail: boolean;
  totp: boolean;
  mfaEnabled: boolean;
}

export type MethodRemoval = 'passkey' | 'link' | 'totp';

export type RemovalVerdict = 'ok' | 'last_sign_in_method' | 'last_second_factor';

export const countSignInMethods = (inv: SignInInventory) => (inv.password ? 1 : 0) + inv.passkeys + inv.links + (inv.verifiedEmail ? 1 : 0);
export const countSecondFactors = (inv: SignInInventory) => (inv.totp ? 1 : 0) + inv.passkeys;

/** Pure: may this removal happen without locking the customer out? */
export function decideRemoval(inv: SignInInventory, removal: MethodRemoval): RemovalVerdict {
  const after: SignInInventory = {
    ...inv,
    passkeys: inv.passkeys - (removal === 'passkey' ? 1 : 0),
    links: inv.links - (removal === 'link' ? 1 : 0),
    totp: removal === 'totp' ? false : inv.totp,
  };
  if (removal !== 'totp' && countSignInMethods(after) < 1) return 'last_sign_in_method';
  if (inv.mfaEnabled && removal !== 'link' && countSecondFactors(inv) > 0 && countSecondFactors(after) < 1) return 'last_second_factor';
  return 'ok';
}

export function describeRemovalRefusal(verdict: Exclude<RemovalVerdict, 'ok'>): string {
  return verdict === 'last_sign_in_method'
    ? 'This is the last way you can sign in, so it cannot be removed. Add a password, a passkey or another linked account first.'
    : 'Two-step verification is on and this is your last second factor. Add another one, or turn two-step verification off first.';
}
