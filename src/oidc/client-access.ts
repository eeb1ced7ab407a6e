// Owns the protocol side of "Remove access" and of listing connected apps: an account's grants per client,
// and revoking one client's access at once (back-channel logout where the client registered it, the
// client forgotten by the account's sessions, then every grant and token of it deleted).
import type { Provider } from 'oidc-provider';
import type { Db } from '../db/create-db.ts';
import type { Logger } from '../log.ts';
import { createOidcModelQueries } from './adapter.ts';

export interface GrantedClient {
  clientId: string;
  scopes: string[];
  grantedAt: Date | undefined;
}

export interface ClientAccessPort {
  /** Clients holding a live grant of the account, with the OpenID scopes granted. */
  listGrantedClients(accountId: string): Promise<GrantedClient[]>;
  /** Ends the client's access for the account now; returns how many back-channel logouts were delivered. */
  revokeClientAccess(accountId: string, clientId: string): Promise<{ backchannelLogouts: number }>;
}

interface SessionRow {
  id: string;
  payload: { authorizations?: Record<string, { sid?: string; grantId?: string }> };
}

export function createClientAccessPort(provider: () => Provider, db: Db, log: Logger): ClientAccessPort {
  const models = createOidcModelQueries(db);
  return {
    async listGrantedClients(accountId) {
      const rows = await db('oidc_models').where({ model: 'Grant', account_id: accountId })
        .andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now())).select('payload') as { payload: { clientId?: string; iat?: number; openid?: { scope?: string } } }[];
      const byClient = new Map<string, GrantedClient>();
      for (const { payload } of rows) {
        if (!payload.clientId) continue;
        const entry = byClient.get(payload.clientId) ?? { clientId: payload.clientId, scopes: [], grantedAt: undefined };
        entry.scopes = [...new Set([...entry.scopes, ...String(payload.openid?.scope ?? '').split(' ').filter(Boolean)])];
        const at = payload.iat ? new Date(payload.iat * 1000) : undefined;
        if (at && (!entry.grantedAt || at < entry.grantedAt)) entry.grantedAt = at;
        byClient.set(payload.clientId, entry);
      }
      return [...byClient.values()];
    },

    async revokeClientAccess(accountId, clientId) {
      const client = await provider().Client.find(clientId);
      const sessions = await db('oidc_models').where({ model: 'Session', account_id: accountId }).select('id', 'payload') as SessionRow[];
      let backchannelLogouts = 0;
      for (const session of sessions) {
        const authorization = session.payload.authorizations?.[clientId];
        if (!authorization) continue;
        if (client?.backchannelLogoutUri) {
          try {
            // oidc-provider's types omit it: Client#backchannelLogout(sub, sid) posts a signed logout token.
            await (client as unknown as { backchannelLogout(sub: string, sid: string): Promise<void> }).backchannelLogout(accountId, authorization.sid ?? '');
            backchannelLogouts += 1;
          } catch (err) {
            log.warn({ err, clientId }, 'back-channel logout failed');
          }
        }
        // The session forgets the client, so SSO to it starts over (and asks for consent again).
        await db.raw("UPDATE oidc_models SET payload = payload #- ARRAY['authorizations', ?]::text[] WHERE model = 'Session' AND id = ?", [clientId, session.id]);
      }
      await models.deleteByGrantIds(await models.findGrantIds(accountId, clientId));
      return { backchannelLogouts };
    },
  };
}
