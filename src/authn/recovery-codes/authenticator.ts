// Owns recovery codes behind the authenticator interface: one unused code of the account, spent once, the
// attempt counted first (attempts.ts).
import { z } from 'zod';
import type { Authenticator } from '../authenticator.ts';
import { RECOVERY_CODE } from './declaration.ts';
import type { RecoveryCodes } from './recovery-codes.ts';

export function recoveryCodeAuthenticator(codes: Pick<RecoveryCodes, 'useRecoveryCode'>): Authenticator<{ code: string }> {
  return {
    ...RECOVERY_CODE,
    input: z.object({ code: z.string().trim().max(64) }),
    async verify(input, context) {
      if (!context.accountId) return { status: 'refused', reason: 'unavailable' };
      const verdict = await codes.useRecoveryCode({ accountId: context.accountId, code: input.code, address: context.address });
      if (verdict.status === 'ok') return { status: 'ok', accountId: context.accountId, amr: [...RECOVERY_CODE.amr] };
      if (verdict.status === 'throttled') return verdict;
      return { status: 'refused', reason: 'invalid' };
    },
  };
}
