// Owns a passkey as a second factor behind the authenticator interface: the browser's assertion for the
// challenge issued to this interaction (context.scope), of a passkey of this account, the attempt counted first.
import { z } from 'zod';
import type { Authenticator } from '../authenticator.ts';
import { PASSKEY } from './declaration.ts';
import type { PasskeySecondFactor } from './second-factor.ts';

/** An assertion as the page posts it (JSON); WebAuthn answers are a few kilobytes. */
export const PASSKEY_RESPONSE_MAX = 40_000;

export function passkeySecondFactorAuthenticator(passkeys: Pick<PasskeySecondFactor, 'verifySecondFactor'>): Authenticator<{ response: string }> {
  return {
    ...PASSKEY,
    input: z.object({ response: z.string().min(1).max(PASSKEY_RESPONSE_MAX) }),
    async verify(input, context) {
      if (!context.accountId || !context.scope) return { status: 'refused', reason: 'unavailable' };
      const verdict = await passkeys.verifySecondFactor({ interactionUid: context.scope, accountId: context.accountId, response: input.response, address: context.address });
      if (verdict.status === 'ok') return { status: 'ok', accountId: context.accountId, amr: verdict.amr };
      if (verdict.status === 'throttled') return verdict;
      return { status: 'refused', reason: 'invalid', detail: verdict.reason };
    },
  };
}
