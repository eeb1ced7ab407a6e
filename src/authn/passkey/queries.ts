// Owns the passkeys, passkey_challenges and passkey_offers tables. Every function takes a knex (root or
// transaction); counters are compared-and-set so two uses of one assertion cannot both pass.
import type { Db } from '../../db/create-db.ts';

export type DeviceType = 'singleDevice' | 'multiDevice';
export type ChallengePurpose = 'authenticate' | 'register' | 'second-factor';

/** A registration challenge is issued for one account and the WebAuthn user handle it will carry. */
export interface ChallengeBinding {
  accountId: string;
  userHandle: string;
}

export interface Passkey {
  id: string;
  accountId: string;
  userHandle: string;
  publicKey: string;
  counter: number;
  transports: string[];
  deviceType: DeviceType;
  backedUp: boolean;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface PasskeyRow {
  id: string;
  account_id: string;
  user_handle: string;
  public_key: string;
  counter: string | number;
  transports: string[] | string;
  device_type: DeviceType;
  backed_up: boolean;
  name: string;
  created_at: Date;
  last_used_at: Date | null;
}

const toPasskey = (row: PasskeyRow): Passkey => ({
  id: row.id,
  accountId: row.account_id,
  userHandle: row.user_handle,
  publicKey: row.public_key,
  counter: Number(row.counter),
  transports: typeof row.transports === 'string' ? JSON.parse(row.transports) as string[] : row.transports,
  deviceType: row.device_type,
  backedUp: row.backed_up,
  name: row.name,
  createdAt: new Date(row.created_at),
  lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
});

export type NewPasskey = Omit<Passkey, 'createdAt' | 'lastUsedAt'> & { aaguid: string | null };

export function createPasskeyQueries(db: Db) {
  return {
    async findPasskeyById(id: string, trx: Db = db): Promise<Passkey | undefined> {
      const row = await trx<PasskeyRow>('passkeys').where({ id }).first();
      return row && toPasskey(row);
    },
    async listPasskeysForAccount(accountId: string, trx: Db = db): Promise<Passkey[]> {
      const rows = await trx<PasskeyRow>('passkeys').where({ account_id: accountId }).orderBy('created_at') as PasskeyRow[];
      return rows.map(toPasskey);
    },
    /** False when the credential id is already registered (to this account or another). */
    async insertPasskey(passkey: NewPasskey, trx: Db = db): Promise<boolean> {
      const rows = await trx('passkeys').insert({
        id: passkey.id,
        account_id: passkey.accountId,
        user_handle: passkey.userHandle,
        public_key: passkey.publicKey,
        counter: passkey.counter,
        transports: JSON.stringify(passkey.transports),
        device_type: passkey.deviceType,
        backed_up: passkey.backedUp,
        name: passkey.name,
        aaguid: passkey.aaguid,
      }).onConflict('id').ignore().returning('id') as { id: string }[];
      return rows.length === 1;
    },
    /** Records a use: only if the stored counter is still `previousCounter` (false: someone else used it meanwhile). */
    async recordPasskeyUse(id: string, previousCounter: number, use: { counter: number; deviceType: DeviceType; backedUp: boolean }, trx: Db = db): Promise<boolean> {
      const updated = await trx('passkeys').where({ id, counter: previousCounter }).update({
        counter: use.counter, device_type: use.deviceType, backed_up: use.backedUp, last_used_at: trx.fn.now(), updated_at: trx.fn.now(),
      });
      return updated === 1;
    },
    async renamePasskey(accountId: string, id: string, name: string, trx: Db = db): Promise<boolean> {
      return (await trx('passkeys').where({ id, account_id: accountId }).update({ name, updated_at: trx.fn.now() })) === 1;
    },
    async deletePasskey(accountId: string, id: string, trx: Db = db): Promise<boolean> {
      return (await trx('passkeys').where({ id, account_id: accountId }).delete()) === 1;
    },

    /**
     * Several may be live for one interaction (autofill and the button each ask for one); expired ones
     * are swept here, a few at a time, so the table stays small without a sweeper of its own.
     */
    async insertChallenge(challenge: { challengeHash: string; interactionUid: string; purpose: ChallengePurpose; binding: ChallengeBinding | null; ttlSeconds: number }, trx: Db = db): Promise<void> {
      await trx('passkey_challenges').whereIn('challenge_hash', trx('passkey_challenges').select('challenge_hash').where('expires_at', '<', trx.fn.now()).limit(20)).delete();
      await trx('passkey_challenges').insert({
        challenge_hash: challenge.challengeHash,
        interaction_uid: challenge.interactionUid,
        purpose: challenge.purpose,
        account_id: challenge.binding?.accountId ?? null,
        user_handle: challenge.binding?.userHandle ?? null,
        expires_at: new Date(Date.now() + challenge.ttlSeconds * 1000),
      });
    },
    /** Takes a live challenge once: what it was bound to (null for sign-in), or undefined when there is none. */
    async consumeChallenge(challengeHash: string, interactionUid: string, purpose: ChallengePurpose, trx: Db = db): Promise<{ binding: ChallengeBinding | null } | undefined> {
      const rows = await trx('passkey_challenges')
        .where({ challenge_hash: challengeHash, interaction_uid: interactionUid, purpose })
        .andWhere('expires_at', '>', trx.fn.now())
        .delete()
        .returning(['account_id', 'user_handle']) as { account_id: string | null; user_handle: string | null }[];
      const row = rows[0];
      if (!row) return undefined;
      return { binding: row.account_id && row.user_handle ? { accountId: row.account_id, userHandle: row.user_handle } : null };
    },

    /** Whether the account has a passkey, and when it last declined the offer, in one query. */
    async findOfferState(accountId: string, trx: Db = db): Promise<{ hasPasskey: boolean; declinedAt: Date | null }> {
      const result = await trx.raw<{ rows: { has_passkey: boolean; declined_at: Date | null }[] }>(
        `SELECT EXISTS (SELECT 1 FROM passkeys WHERE account_id = ?) AS has_passkey,
                (SELECT declined_at FROM passkey_offers WHERE account_id = ?) AS declined_at`,
        [accountId, accountId],
      );
      const row = result.rows[0];
      return { hasPasskey: Boolean(row?.has_passkey), declinedAt: row?.declined_at ? new Date(row.declined_at) : null };
    },
    async recordOfferDeclined(accountId: string, trx: Db = db): Promise<void> {
      await trx('passkey_offers').insert({ account_id: accountId, declined_at: trx.fn.now() })
        .onConflict('account_id').merge({ declined_at: trx.fn.now(), updated_at: trx.fn.now() });
    },
  };
}

export type PasskeyQueries = ReturnType<typeof createPasskeyQueries>;
