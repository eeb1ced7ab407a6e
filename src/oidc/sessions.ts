// Implements the protocol-side ports the domain declares: end an account's sessions, revoke its grants,
// so password reset and (later) withdrawal and erasure reach oidc-provider without importing it.
import type { Db } from '../db/create-db.ts';
import { createOidcModelQueries } from './adapter.ts';

export interface ProtocolPort {
  /** Ends every session of the account except the one with `exceptSessionUid`. */
  endSessions(accountId: string, exceptSessionUid?: string): Promise<number>;
  /** Revokes the account's grants (for one client, or all) with every token issued under them. */
  revokeGrants(accountId: string, clientId?: string): Promise<void>;
}

export function createProtocolPort(db: Db): ProtocolPort {
  const models = createOidcModelQueries(db);
  return {
    endSessions: (accountId, exceptSessionUid) => models.deleteSessionsOfAccount(accountId, exceptSessionUid),
    async revokeGrants(accountId, clientId) {
      await models.deleteByGrantIds(await models.findGrantIds(accountId, clientId));
    },
  };
}
