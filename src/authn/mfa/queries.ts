// Owns the account's MFA switch (accounts.mfa_enabled) and the remembered_devices table.
import type { Db } from '../../db/create-db.ts';

export interface RememberedDeviceRow {
  id: string;
  account_id: string;
  expires_at: Date;
  created_at: Date;
  last_used_at: Date | null;
  user_agent: string | null;
  revoked_at: Date | null;
}

export function createMfaQueries(db: Db) {
  return {
    async isMfaEnabled(accountId: string, trx: Db = db): Promise<boolean> {
      if (!/^[0-9a-f-]{36}$/i.test(accountId)) return false;
      const row = await trx('accounts').where({ id: accountId }).first<{ mfa_enabled: boolean } | undefined>('mfa_enabled');
      return row?.mfa_enabled === true;
    },
    async setMfaEnabled(accountId: string, enabled: boolean, trx: Db = db): Promise<void> {
      await trx('accounts').where({ id: accountId }).update({ mfa_enabled: enabled, updated_at: trx.fn.now() });
    },
    async insertRememberedDevice(device: { id: string; accountId: string; tokenHash: string; expiresAt: Date; userAgent: string | null }, trx: Db = db): Promise<void> {
      await trx('remembered_devices').insert({
        id: device.id, account_id: device.accountId, token_hash: device.tokenHash, expires_at: device.expiresAt, user_agent: device.userAgent,
      });
    },
    /** Marks a live device of the account used; false when the token is unknown, expired, revoked or another account's. */
    async touchLiveRememberedDevice(accountId: string, tokenHash: string, trx: Db = db): Promise<boolean> {
      const updated = await trx('remembered_devices')
        .where({ account_id: accountId, token_hash: tokenHash }).whereNull('revoked_at').andWhere('expires_at', '>', trx.fn.now())
        .update({ last_used_at: trx.fn.now() });
      return updated === 1;
    },
    async listLiveRememberedDevices(accountId: string, trx: Db = db): Promise<RememberedDeviceRow[]> {
      return trx<RememberedDeviceRow>('remembered_devices')
        .where({ account_id: accountId }).whereNull('revoked_at').andWhere('expires_at', '>', trx.fn.now())
        .orderBy('created_at', 'desc')
        .select('id', 'account_id', 'expires_at', 'created_at', 'last_used_at', 'user_agent', 'revoked_at');
    },
    async revokeRememberedDevice(accountId: string, deviceId: string, trx: Db = db): Promise<boolean> {
      const updated = await trx('remembered_devices').where({ id: deviceId, account_id: accountId }).whereNull('revoked_at').update({ revoked_at: trx.fn.now() });
      return updated === 1;
    },
    async revokeAllRememberedDevices(accountId: string, trx: Db = db): Promise<number> {
      return trx('remembered_devices').where({ account_id: accountId }).whereNull('revoked_at').update({ revoked_at: trx.fn.now() });
    },
  };
}

export type MfaQueries = ReturnType<typeof createMfaQueries>;
