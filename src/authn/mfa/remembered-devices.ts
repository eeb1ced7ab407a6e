// Owns "remember this device": a random token (in an HttpOnly cookie set by the journey) stored as a
// hash with an expiry, checked against one account, revocable one by one or all at once.
import { hashToken, randomToken } from '../../security/tokens.ts';
import type { MfaQueries } from './queries.ts';

export const REMEMBERED_DEVICE_DAYS = 30;
export const REMEMBERED_DEVICE_COOKIE = 'foyer.mfa_device';

export interface RememberedDevice {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
  userAgent: string | null;
}

const TOKEN_SHAPE = /^[\w-]{20,100}$/;

export function createRememberedDevices(queries: MfaQueries, options: { days?: number } = {}) {
  const days = options.days ?? REMEMBERED_DEVICE_DAYS;
  return {
    /** Remembers a device for the account; the token goes into the cookie and nowhere else. */
    async rememberDevice(accountId: string, userAgent: string | undefined): Promise<{ token: string; expiresAt: Date }> {
      const token = randomToken(32);
      const expiresAt = new Date(Date.now() + days * 24 * 3600 * 1000);
      await queries.insertRememberedDevice({ id: `rd_${randomToken(12)}`, accountId, tokenHash: hashToken(token), expiresAt, userAgent: userAgent?.slice(0, 512) ?? null });
      return { token, expiresAt };
    },
    /** True when `token` is a live remembered device of this account (and notes that it was used). */
    async isRememberedDevice(accountId: string, token: string | undefined): Promise<boolean> {
      if (!token || !TOKEN_SHAPE.test(token)) return false;
      return queries.touchLiveRememberedDevice(accountId, hashToken(token));
    },
    async listRememberedDevices(accountId: string): Promise<RememberedDevice[]> {
      return (await queries.listLiveRememberedDevices(accountId)).map((row) => ({
        id: row.id,
        createdAt: new Date(row.created_at),
        lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
        expiresAt: new Date(row.expires_at),
        userAgent: row.user_agent,
      }));
    },
    /** Forgets one device of the account; false when it is not one of the account's live devices. */
    revokeRememberedDevice(accountId: string, deviceId: string): Promise<boolean> {
      return queries.revokeRememberedDevice(accountId, deviceId);
    },
    revokeAllRememberedDevices(accountId: string): Promise<number> {
      return queries.revokeAllRememberedDevices(accountId);
    },
  };
}

export type RememberedDevices = ReturnType<typeof createRememberedDevices>;
