// Owns the protocol side of "Remove access" and of listing connected apps: an account's grants per client,
// and revoking one client's access at once (back-channel logout where the client registered it, the
// client forgotten by the account's sessions, then every grant and token of it deleted); and of signing
// sessions out, one or all, the same way: back-channel logout to their apps, then the sessions ended.
import type { Provider } from 'oidc-provider';
import type { ProtocolSignOut, SignOutSummary } from '../accounts/sign-out.ts';
import type { Db } from '../db/create-db.ts';
import type { Logger } from '../log.ts';
import { createOidcModelQueries } from './adapter.ts';
import { createProtocolPort } from './sessions.ts';

export interface GrantedClient {
  clientId: string;
  scopes: string[];
  grantedAt: Date | undefined;
}

export interface ClientAccessPort extends ProtocolSignOut {
  /** Clients holding a live grant of the account, with the OpenID scopes granted. */
  listGrantedClients(accountId: string): Promise<GrantedClient[]>;
  /** Ends the client's access for the account now; returns how many back-channel logouts were delivered. */
  revokeClientAccess(accountId: string, clientId: string): Promise<{ backchannelLogouts: number }>;
  /**
   * Sends back-channel logout to every app of the account's sessions chosen (`only` one uid, or all `except`
   * one), where the app registered a back-channel logout URI, before those sessions are ended.
   */
  notifySessionLogout(accountId: string, choice: { only?: string | undefined; except?: string | undefined }): Promise<number>;
  /** Signs one OIDC session out: back-channel logout to its apps, then the session ended; false when it was gone. */
  endSession(accountId: string, sessionUid: string): Promise<boolean>;
}

interface SessionRow {
  id: string;
  uid: string | null;
  payload: { authorizations?: Record<string, { sid?: string; grantId?: string }> };
}

type BackchannelClient = { backchannelLogoutUri?: string; backchannelLogout(sub: string, sid: string): Promise<void> };

export function createClientAccessPort(provider: () => Provider, db: Db, log: Logger): ClientAccessPort {
  const protocol = createProtocolPort(db);
  const models = createOidcModelQueries(db);
  const sessionsOf = (accountId: string) => db('oidc_models').where({ model: 'Session', account_id: accountId }).select('id', 'uid', 'payload') as Promise<SessionRow[]>;
  // oidc-provider's types omit it: Client#backchannelLogout(sub, sid) posts a signed logout token.
  async function logOut(clientId: string, accountId: string, sid: string): Promise<boolean> {
    const client = await provider().Client.find(clientId) as unknown as BackchannelClient | undefined;
    if (!client?.backchannelLogoutUri) return false;
    try {
      await client.backchannelLogout(accountId, sid);
      return true;
    } catch (err) {
      log.warn({ err, clientId }, 'back-channel logout failed');
      return false;
    }
  }
  async function notifySessionLogout(accountId: string, choice: { only?: string | undefined; except?: string | undefined }): Promise<number> {
    let sent = 0;
    for (const session of await sessionsOf(accountId)) {
      if ((choice.only && session.uid !== choice.only) || (choice.except && session.uid === choice.except)) continue;
      for (const [clientId, authorization] of Object.entries(session.payload.authorizations ?? {})) {
        if (await logOut(clientId, accountId, authorization.sid ?? '')) sent += 1;
      }
    }
    return sent;
  }
  async function endSessions(accountId: string, choice: { only?: string }): Promise<SignOutSummary> {
    const backchannelLogouts = await notifySessionLogout(accountId, choice);
    const sessions = choice.only ? Number(await protocol.endSessionByUid(accountId, choice.only)) : await protocol.endSessions(accountId);
    return { sessions, backchannelLogouts };
  }
  return {
    endSession: async (accountId, sessionUid) => (await endSessions(accountId, { only: sessionUid })).sessions > 0,
    async signOutEverywhere(accountId) {
      const summary = await endSessions(accountId, {});
      await protocol.revokeGrants(accountId);
      return summary;
    },
    notifySessionLogout,
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
      let backchannelLogouts = 0;
      for (const session of await sessionsOf(accountId)) {
        const authorization = session.payload.authorizations?.[clientId];
        if (!authorization) continue;
        if (await logOut(clientId, accountId, authorization.sid ?? '')) backchannelLogouts += 1;
        // The session forgets the client, so SSO to it starts over (and asks for consent again).
        await models.forgetClientInSession(session.id, clientId);
      }
      await protocol.revokeGrants(accountId, clientId);
      return { backchannelLogouts };
    },
  };
}
