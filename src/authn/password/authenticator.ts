// Owns password sign-in: an attempt reserved first (attempts.ts), then argon2 verify (a decoy for unknown or password-less
// accounts, so both cost the same), then rehash when the cost parameters changed.
import type { AccountQueries } from '../../accounts/queries.ts';
import type { PasswordHasher } from '../../security/password-hasher.ts';
import type { Attempts } from '../attempts.ts';

export type PasswordVerdict =
  | { status: 'ok'; accountId: string; amr: string[] }
  | { status: 'invalid' }
  | { status: 'throttled'; retryAfterSeconds: number };

/** The right password of an account waiting for erasure (src/privacy): no sign-in, but it may cancel. */
export type SignInPasswordVerdict = PasswordVerdict | { status: 'erasure_pending'; pendingAccountId: string; eraseAfter: Date };

const CAN_SIGN_IN = new Set(['active', 'restricted']);

export function createPasswordAuthenticator(deps: { accounts: AccountQueries; hasher: PasswordHasher; throttle: Attempts }) {
  const { accounts, hasher, throttle } = deps;

  async function check(input: { email: string; password: string; address: string }, tellErasurePending: boolean): Promise<SignInPasswordVerdict> {
    const key = { kind: 'password', subject: input.email, address: input.address };
    const found = await throttle.attempt(key, async () => {
      const account = await accounts.findAccountByEmail(input.email);
      const pendingErasure = tellErasurePending && account?.status === 'disabled' && Boolean(account.eraseAfter);
      const usable = account?.passwordHash && (CAN_SIGN_IN.has(account.status) || pendingErasure) ? account : undefined;
      const ok = usable ? await hasher.verify(usable.passwordHash!, input.password) : await hasher.decoyVerify(input.password);
      return ok && usable ? { status: 'found' as const, account: usable, pendingErasure } : { status: 'invalid' as const };
    }, (result) => (result.status === 'found' ? 'success' : 'failure'));
    if (found.status !== 'found') return found;
    const { account, pendingErasure } = found;
    // Only the account's own password learns that it waits for erasure, so nothing is enumerated.
    if (pendingErasure) return { status: 'erasure_pending', pendingAccountId: account.id, eraseAfter: account.eraseAfter! };
    if (hasher.needsRehash(account.passwordHash!)) {
      await accounts.updatePasswordHash(account.id, await hasher.hash(input.password));
    }
    return { status: 'ok', accountId: account.id, amr: ['pwd'] };
  }

  return {
    verifyPassword: (input: { email: string; password: string; address: string }) => check(input, false) as Promise<PasswordVerdict>,
    /** The sign-in page's check: also tells the owner of an account waiting for erasure (so it can cancel). */
    verifySignInPassword: (input: { email: string; password: string; address: string }) => check(input, true),
  };
}

export type PasswordAuthenticator = ReturnType<typeof createPasswordAuthenticator>;
