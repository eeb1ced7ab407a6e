// Owns password sign-in: throttle first, then argon2 verify (a decoy for unknown or password-less
// accounts, so both cost the same), then rehash when the cost parameters changed.
import type { AccountQueries } from '../../accounts/queries.ts';
import type { PasswordHasher } from '../../security/password-hasher.ts';
import type { CredentialThrottle } from '../credential-throttle.ts';

export type PasswordVerdict =
  | { status: 'ok'; accountId: string; amr: string[] }
  | { status: 'invalid' }
  | { status: 'throttled'; retryAfterSeconds: number };

const CAN_SIGN_IN = new Set(['active', 'restricted']);

export function createPasswordAuthenticator(deps: { accounts: AccountQueries; hasher: PasswordHasher; throttle: CredentialThrottle }) {
  const { accounts, hasher, throttle } = deps;
  return {
    async verifyPassword(input: { email: string; password: string; address: string }): Promise<PasswordVerdict> {
      const gate = await throttle.checkCredential('password', input.email, input.address);
      if (!gate.allowed) return { status: 'throttled', retryAfterSeconds: gate.retryAfterSeconds };
      const account = await accounts.findAccountByEmail(input.email);
      const usable = account?.passwordHash && CAN_SIGN_IN.has(account.status) ? account : undefined;
      const ok = usable ? await hasher.verify(usable.passwordHash!, input.password) : await hasher.decoyVerify(input.password);
      if (!ok || !usable) {
        await throttle.recordFailure('password', input.email, input.address);
        return { status: 'invalid' };
      }
      await throttle.recordSuccess('password', input.email, input.address);
      if (hasher.needsRehash(usable.passwordHash!)) {
        await accounts.updatePasswordHash(usable.id, await hasher.hash(input.password));
      }
      return { status: 'ok', accountId: usable.id, amr: ['pwd'] };
    },
  };
}

export type PasswordAuthenticator = ReturnType<typeof createPasswordAuthenticator>;
