// Owns the password behind the authenticator interface (src/authn/authenticator.ts): the sign-in page's check,
// which also tells the owner of an account waiting for erasure (the right password only), so it can cancel.
import { z } from 'zod';
import type { Authenticator } from '../authenticator.ts';
import type { PasswordAuthenticator } from './authenticator.ts';
import { PASSWORD } from './declaration.ts';

export function passwordAuthenticator(passwords: Pick<PasswordAuthenticator, 'verifySignInPassword'>): Authenticator<{ email: string; password: string }> {
  return {
    ...PASSWORD,
    input: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(4096) }),
    async verify(input, context) {
      const verdict = await passwords.verifySignInPassword({ email: input.email, password: input.password, address: context.address });
      switch (verdict.status) {
        case 'ok': return verdict;
        case 'throttled': return verdict;
        case 'erasure_pending': return { status: 'held', reason: 'erasure_pending', accountId: verdict.pendingAccountId, until: verdict.eraseAfter };
        default: return { status: 'refused', reason: 'invalid' };
      }
    },
  };
}
