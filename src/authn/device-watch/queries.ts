// Owns the known_devices table: the browsers each account has signed in from, each as a keyed hash of its
// device cookie, with when it was first and last seen. Every function takes a knex (root or transaction).
import type { Db } from '../../db/create-db.ts';

// One round trip for a sign-in: insert the device or mark it seen; a row inserted now has first_seen_at = now()
// (the statement's time), an older one was known. Whether the account had other devices is read in the same
// statement, and so is the account's primary address when the "new sign-in" mail is due (a new device beside others).
const NOTE_DEVICE_SQL = `WITH others AS (SELECT EXISTS (SELECT 1 FROM known_devices WHERE account_id = ? AND device_hash <> ?) AS found)
  INSERT INTO known_devices (account_id, device_hash, user_agent) VALUES (?, ?, ?)
  ON CONFLICT (account_id, device_hash) DO UPDATE SET last_seen_at = now(), user_agent = excluded.user_agent, updated_at = now()
  RETURNING (known_devices.first_seen_at = now()) AS inserted, (SELECT found FROM others) AS had_others,
    CASE WHEN known_devices.first_seen_at = now() AND (SELECT found FROM others)
         THEN (SELECT e.email FROM account_emails e WHERE e.account_id = known_devices.account_id AND e.is_primary) END AS email`;

export function createKnownDeviceQueries(db: Db) {
  return {
    /**
     * Records a sign-in from the device in one statement: `isNew` when the account had not used it before,
     * `hadOtherDevices` whether the account had any other device then (its first device is recorded silently).
     */
    async noteDevice(accountId: string, deviceHash: string, userAgent: string, trx: Db = db): Promise<{ isNew: boolean; hadOtherDevices: boolean; email?: string }> {
      const result = await trx.raw<{ rows: { inserted: boolean; had_others: boolean; email: string | null }[] }>(NOTE_DEVICE_SQL, [accountId, deviceHash, accountId, deviceHash, userAgent]);
      const row = result.rows[0]!;
      return { isNew: row.inserted, hadOtherDevices: row.had_others, ...(row.email ? { email: row.email } : {}) };
    },
  };
}

export type KnownDeviceQueries = ReturnType<typeof createKnownDeviceQueries>;
