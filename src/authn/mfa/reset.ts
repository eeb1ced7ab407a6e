// Owns resetting an account's second factor, as an operator does for a customer who lost their phone: the
// authenticator app and the recovery codes go, remembered devices are revoked and "always ask" is off.
// Passkeys stay: they are a way to sign in the customer holds, and the customer removes them on /account.
import type { Db } from '../../db/create-db.ts';
import type { createRecoveryCodeQueries } from '../recovery-codes/queries.ts';
import type { createTotpQueries } from '../totp/queries.ts';
import type { MfaQueries } from './queries.ts';

export function createSecondFactorReset(deps: {
  totp: Pick<ReturnType<typeof createTotpQueries>, 'deleteTotp'>;
  recoveryCodes: Pick<ReturnType<typeof createRecoveryCodeQueries>, 'replaceRecoveryCodes'>;
  mfa: Pick<MfaQueries, 'revokeAllRememberedDevices' | 'setMfaEnabled'>;
}) {
  return {
    async resetSecondFactor(accountId: string, trx: Db): Promise<void> {
      await deps.totp.deleteTotp(accountId, trx);
      await deps.recoveryCodes.replaceRecoveryCodes(accountId, [], trx);
      await deps.mfa.revokeAllRememberedDevices(accountId, trx);
      await deps.mfa.setMfaEnabled(accountId, false, trx);
    },
  };
}
