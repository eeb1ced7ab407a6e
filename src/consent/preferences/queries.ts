// Owns communication_preferences (one row per account × topic × channel: opted in, out, or pending a
// mailed confirmation) and preference_confirmations (the mailed links, stored as hashes, used once).
import type { Db } from '../../db/create-db.ts';

export type PreferenceStatus = 'opted_in' | 'opted_out' | 'pending';

export interface PreferenceRow {
  topic: string;
  channel: string;
  status: PreferenceStatus;
  source: string;
  changed_at: Date;
}

export interface ConfirmationRow {
  token_hash: string;
  account_id: string;
  topic: string;
  channel: string;
  expires_at: Date;
}

export function createPreferenceQueries(db: Db) {
  return {
    async listPreferenceRows(accountId: string, trx: Db = db): Promise<PreferenceRow[]> {
      return (await trx('communication_preferences').where({ account_id: accountId }).select('topic', 'channel', 'status', 'source', 'changed_at')) as PreferenceRow[];
    },
    /** `lock`: held until the transaction ends, so concurrent changes of one preference run one after another. */
    async findPreferenceRow(accountId: string, topic: string, channel: string, trx: Db = db, lock = false): Promise<PreferenceRow | undefined> {
      const query = trx('communication_preferences').where({ account_id: accountId, topic, channel });
      return (await (lock ? query.forUpdate() : query).first('topic', 'channel', 'status', 'source', 'changed_at')) as PreferenceRow | undefined;
    },
    async upsertPreference(accountId: string, topic: string, channel: string, status: PreferenceStatus, source: string, trx: Db = db): Promise<void> {
      await trx('communication_preferences').insert({ account_id: accountId, topic, channel, status, source })
        .onConflict(['account_id', 'topic', 'channel']).merge({ status, source, changed_at: trx.fn.now(), updated_at: trx.fn.now() });
    },
    async insertConfirmation(row: { tokenHash: string; accountId: string; topic: string; channel: string; ttlSeconds: number }, trx: Db = db): Promise<void> {
      await trx('preference_confirmations').insert({
        token_hash: row.tokenHash, account_id: row.accountId, topic: row.topic, channel: row.channel,
        expires_at: trx.raw('now() + make_interval(secs => ?)', [row.ttlSeconds]),
      });
    },
    async findLiveConfirmation(tokenHash: string, trx: Db = db): Promise<ConfirmationRow | undefined> {
      return (await trx('preference_confirmations').where({ token_hash: tokenHash }).whereNull('consumed_at').andWhere('expires_at', '>', trx.fn.now())
        .first('token_hash', 'account_id', 'topic', 'channel', 'expires_at')) as ConfirmationRow | undefined;
    },
    /** Uses the link once, atomically: a second use (or a concurrent one) gets undefined. */
    async consumeConfirmation(tokenHash: string, trx: Db = db): Promise<ConfirmationRow | undefined> {
      const rows = await trx('preference_confirmations').where({ token_hash: tokenHash }).whereNull('consumed_at').andWhere('expires_at', '>', trx.fn.now())
        .update({ consumed_at: trx.fn.now() }).returning(['token_hash', 'account_id', 'topic', 'channel', 'expires_at']) as ConfirmationRow[];
      return rows[0];
    },
    /** Removes used or expired links, in batches (the server's sweeper). */
    async sweepConfirmations(limit: number): Promise<number> {
      return db('preference_confirmations').whereIn('token_hash', db('preference_confirmations').select('token_hash')
        .where('expires_at', '<=', db.fn.now()).orWhereNotNull('consumed_at').limit(limit)).delete();
    },
  };
}

export type PreferenceQueries = ReturnType<typeof createPreferenceQueries>;
