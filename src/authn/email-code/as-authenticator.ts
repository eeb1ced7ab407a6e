// Owns the mailed sign-in code behind the authenticator interface (src/authn/authenticator.ts): the code of the
// email sign-in this interaction (context.scope) started, each guess counted first; an unknown address's
// right code creates its account, as the email sign-in does.
import { z } from 'zod';
import type { Authenticator } from '../authenticator.ts';
import { EMAIL_CODE } from './declaration.ts';
import type { EmailSignIn } from './sign-in.ts';

export function emailCodeAuthenticator(emailSignIn: Pick<EmailSignIn, 'verifyEmailCode'>): Authenticator<{ code: string }> {
  return {
    ...EMAIL_CODE,
    input: z.object({ code: z.string().trim().max(64) }),
    async verify(input, context) {
      if (!context.scope) return { status: 'refused', reason: 'unavailable' };
      const result = await emailSignIn.verifyEmailCode({ interactionUid: context.scope, code: input.code, address: context.address });
      if (result.status === 'ok') return { status: 'ok', accountId: result.accountId, amr: [...EMAIL_CODE.amr] };
      if (result.status === 'throttled') return result;
      return { status: 'refused', reason: result.status };
    },
  };
}
