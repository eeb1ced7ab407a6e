// Owns the authenticator app behind the authenticator interface: a 6-digit code checked against the account's
// confirmed seed (its time step spent once), the attempt counted first (attempts.ts).
import { z } from 'zod';
import type { Authenticator } from '../authenticator.ts';
import { TOTP } from './declaration.ts';
import type { TotpAuthenticator } from './totp.ts';

export function totpAuthenticator(totp: Pick<TotpAuthenticator, 'verifyTotp'>): Authenticator<{ code: string }> {
  return {
    ...TOTP,
    input: z.object({ code: z.string().trim().max(64) }),
    async verify(input, context) {
      if (!context.accountId) return { status: 'refused', reason: 'unavailable' };
      const verdict = await totp.verifyTotp({ accountId: context.accountId, code: input.code, address: context.address });
      if (verdict.status === 'ok') return { status: 'ok', accountId: context.accountId, amr: [...TOTP.amr] };
      if (verdict.status === 'throttled') return verdict;
      return { status: 'refused', reason: verdict.status };
    },
  };
}
