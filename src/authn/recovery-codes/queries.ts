// Owns the recovery_codes table: an account's single-use codes, stored as keyed hashes only.
import type { Db } from '../../db/create-db.ts';

export function createRecoveryCodeQueries(db: Db) {
  return {
    /** Replaces every code of the account with these hashes. */
    async replaceRecoveryCodes(accountId: string, codeHashes: string[], trx: Db = db): Promise<void> {
      await trx('recovery_codes').where({ account_id: accountId }).delete();
      if (codeHashes.length) await trx('recovery_codes').insert(codeHashes.map((codeHash) => ({ account_id: accountId, code_hash: codeHash })));
    },
    /** Marks an unused code used, once: false when there is no such unused code. */
    async useRecoveryCode(accountId: string, codeHash: string, trx: Db = db): Promise<boolean> {
      const updated = await trx('recovery_codes').where({ account_id: accountId, code_hash: codeHash }).whereNull('used_at').update({ used_at: trx.fn.now() });
      return updated === 1;
    },
    async countUnusedRecoveryCodes(accountId: string, trx: Db = db): Promise<number> {
      const rows = await trx('recovery_codes').where({ account_id: accountId }).whereNull('used_at').count<{ n: string | number }[]>('* as n');
      return Number(rows[0]?.n ?? 0);
    },
  };
}

export type RecoveryCodeQueries = ReturnType<typeof createRecoveryCodeQueries>;
