// Owns the totp_credentials table: one authenticator app per account, its seed sealed, and the last time
// step a code was accepted for (so a code cannot be used twice).
import type { Db } from '../../db/create-db.ts';

export interface TotpRow {
  account_id: string;
  secret_encrypted: string;
  confirmed_at: Date | null;
  last_used_step: string | number | null;
}

export function createTotpQueries(db: Db) {
  return {
    async findConfirmedTotp(accountId: string, trx: Db = db): Promise<TotpRow | undefined> {
      return trx<TotpRow>('totp_credentials').where({ account_id: accountId }).whereNotNull('confirmed_at').first();
    },
    /** Stores a confirmed seed (replacing any earlier one) with the step its first code used. */
    async saveConfirmedTotp(accountId: string, secretEncrypted: string, usedStep: number, trx: Db = db): Promise<void> {
      await trx.raw(
        `INSERT INTO totp_credentials (account_id, secret_encrypted, confirmed_at, last_used_step)
         VALUES (?, ?, now(), ?)
         ON CONFLICT (account_id) DO UPDATE SET secret_encrypted = excluded.secret_encrypted, confirmed_at = now(),
           last_used_step = excluded.last_used_step, updated_at = now()`,
        [accountId, secretEncrypted, usedStep],
      );
    },
    /** Records `step` as used, only if it is later than the last used one: false means the code was spent. */
    async claimTotpStep(accountId: string, step: number, trx: Db = db): Promise<boolean> {
      const updated = await trx('totp_credentials')
        .where({ account_id: accountId }).whereNotNull('confirmed_at')
        .andWhere((q) => q.whereNull('last_used_step').orWhere('last_used_step', '<', step))
        .update({ last_used_step: step, updated_at: trx.fn.now() });
      return updated === 1;
    },
    async deleteTotp(accountId: string, trx: Db = db): Promise<boolean> {
      return (await trx('totp_credentials').where({ account_id: accountId }).delete()) > 0;
    },
  };
}

export type TotpQueries = ReturnType<typeof createTotpQueries>;
