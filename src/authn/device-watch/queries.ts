// Owns the known_devices table: the browsers each account has signed in from, each as a keyed hash of its
// device cookie, with when it was first and last seen. Every function takes a knex (root or transaction).
import type { Db } from '../../db/create-db.ts';

export function createKnownDeviceQueries(db: Db) {
  return {
    /** Marks a known device as seen now; false when the account has not used this device before. */
    async touchKnownDevice(accountId: string, deviceHash: string, userAgent: string, trx: Db = db): Promise<boolean> {
      const updated = await trx('known_devices').where({ account_id: accountId, device_hash: deviceHash })
        .update({ last_seen_at: trx.fn.now(), user_agent: userAgent, updated_at: trx.fn.now() });
      return updated === 1;
    },
    async hasKnownDevices(accountId: string, trx: Db = db): Promise<boolean> {
      return (await trx('known_devices').where({ account_id: accountId }).first('device_hash')) !== undefined;
    },
    async insertKnownDevice(accountId: string, deviceHash: string, userAgent: string, trx: Db = db): Promise<void> {
      await trx('known_devices').insert({ account_id: accountId, device_hash: deviceHash, user_agent: userAgent })
        .onConflict(['account_id', 'device_hash']).ignore();
    },
  };
}

export type KnownDeviceQueries = ReturnType<typeof createKnownDeviceQueries>;
