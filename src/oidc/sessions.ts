// Implements the protocol-side ports the domain declares: end an account's sessions, revoke its grants,
// so password reset and (later) withdrawal and erasure reach oidc-provider without importing it.
import type { Db } from '../db/create-db.ts';
import { createOidcModelQueries } from './adapter.ts';

export interface AccountSession {
  uid: string;
  signedInAt: Date | undefined;
  amr: string[];
  acr: string | undefined;
  clientIds: string[];
  expiresAt: Date | undefined;
}

export interface ProtocolPort {
  /** Ends every session of the account except the one with `exceptSessionUid`. */
  endSessions(accountId: string, exceptSessionUid?: string): Promise<number>;
  /** Revokes the account's grants (for one client, or all) with every token issued under them. */
  revokeGrants(accountId: string, clientId?: string): Promise<void>;
  /** Ends one OIDC session by its uid, when it belongs to the account (portal sign-out). */
  endSessionByUid(accountId: string, sessionUid: string): Promise<boolean>;
  /** True while the OIDC session with this uid is alive and belongs to the account. */
  isSessionActive(accountId: string, sessionUid: string): Promise<boolean>;
  /** The account's live sessions (one per signed-in browser), newest sign-in first. */
  listSessionsOfAccount(accountId: string): Promise<AccountSession[]>;
}

export function createProtocolPort(db: Db): ProtocolPort {
  const models = createOidcModelQueries(db);
  return {
    endSessions: (accountId, exceptSessionUid) => models.deleteSessionsOfAccount(accountId, exceptSessionUid),
    async revokeGrants(accountId, clientId) {
      await models.deleteByGrantIds(await models.findGrantIds(accountId, clientId));
    },
    endSessionByUid: async (accountId, sessionUid) => (await models.deleteSessionByUid(accountId, sessionUid)) > 0,
    isSessionActive: (accountId, sessionUid) => models.isSessionLive(accountId, sessionUid),
    async listSessionsOfAccount(accountId) {
      const rows = await models.listLiveSessionsOfAccount(accountId);
      return rows.map(({ payload, expires_at: expiresAt }) => ({
        uid: String(payload.uid ?? ''),
        signedInAt: typeof payload.loginTs === 'number' ? new Date(payload.loginTs * 1000) : undefined,
        amr: Array.isArray(payload.amr) ? payload.amr.map(String) : [],
        acr: typeof payload.acr === 'string' ? payload.acr : undefined,
        clientIds: Object.keys((payload.authorizations as object | undefined) ?? {}),
        expiresAt: expiresAt ? new Date(expiresAt) : undefined,
      })).filter((s) => s.uid).sort((a, b) => (b.signedInAt?.getTime() ?? 0) - (a.signedInAt?.getTime() ?? 0));
    },
  };
}
