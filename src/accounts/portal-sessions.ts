// Owns the portal_sessions table: the customer's own signed-in state on /account, kept server-side. The
// browser holds a random token; the table holds its hash, so a stolen table cannot be replayed as cookies.
import type { Db } from '../db/create-db.ts';
import { hashToken, randomToken } from '../security/tokens.ts';

export interface PortalSession {
  id: string;
  accountId: string;
  authTime: Date;
  amr: string[];
  oidcSid: string | null;
  oidcSessionUid: string | null;
  /** Started by a mailed link, with no OIDC session behind it (else it lives only while its OIDC session does). */
  standalone: boolean;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
}

interface PortalSessionRow {
  id: string;
  account_id: string;
  auth_time: Date;
  amr: string[];
  oidc_sid: string | null;
  oidc_session_uid: string | null;
  standalone: boolean;
  user_agent: string | null;
  created_at: Date;
  expires_at: Date;
}

/** The account pages' sessions and the admin pages' share the table; a session serves its realm only. */
export type SessionRealm = 'account' | 'admin';

export interface NewPortalSession {
  realm?: SessionRealm;
  accountId: string;
  authTime: Date;
  amr: string[];
  oidcSid?: string | undefined;
  oidcSessionUid?: string | undefined;
  /** True only for a session started by a mailed link (no OIDC session behind it). */
  standalone?: boolean;
  userAgent?: string | undefined;
}

/** A portal session ends after an hour without use, and twelve hours after sign-in whatever its use. */
export const PORTAL_IDLE_SECONDS = 3600;
export const PORTAL_ABSOLUTE_SECONDS = 12 * 3600;
const TOKEN_SHAPE = /^[\w-]{30,64}$/;

const toSession = (row: PortalSessionRow): PortalSession => ({
  id: row.id,
  accountId: row.account_id,
  authTime: new Date(row.auth_time),
  amr: row.amr ?? [],
  oidcSid: row.oidc_sid,
  oidcSessionUid: row.oidc_session_uid,
  standalone: row.standalone === true,
  userAgent: row.user_agent,
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
});

export function createPortalSessions(db: Db) {
  const idleExpiry = (created: Date) => new Date(Math.min(Date.now() + PORTAL_IDLE_SECONDS * 1000, created.getTime() + PORTAL_ABSOLUTE_SECONDS * 1000));
  return {
    /** Starts a session; the token goes into the cookie and nowhere else. */
    async startPortalSession(input: NewPortalSession): Promise<{ token: string; session: PortalSession }> {
      const token = randomToken(32);
      const [row] = await db('portal_sessions').insert({
        id: `ps_${randomToken(12)}`, token_hash: hashToken(token), realm: input.realm ?? 'account', account_id: input.accountId, auth_time: input.authTime,
        amr: JSON.stringify(input.amr), oidc_sid: input.oidcSid ?? null, oidc_session_uid: input.oidcSessionUid ?? null, standalone: input.standalone === true,
        user_agent: input.userAgent?.slice(0, 512) ?? null, expires_at: idleExpiry(new Date()),
      }).returning('*') as PortalSessionRow[];
      return { token, session: toSession(row!) };
    },
    /** The live session of a cookie token (its idle expiry moved on), or undefined. */
    async findPortalSession(token: string | undefined, realm: SessionRealm = 'account'): Promise<PortalSession | undefined> {
      if (!token || !TOKEN_SHAPE.test(token)) return undefined;
      const row = await db('portal_sessions').where({ token_hash: hashToken(token), realm }).andWhere('expires_at', '>', db.fn.now()).first<PortalSessionRow | undefined>();
      if (!row) return undefined;
      const session = toSession(row);
      const expiresAt = idleExpiry(session.createdAt);
      // Move the idle expiry on at most once a minute: most requests cost no write.
      if (expiresAt.getTime() - session.expiresAt.getTime() > 60_000) {
        await db('portal_sessions').where({ id: row.id }).update({ expires_at: expiresAt, last_seen_at: db.fn.now() });
        session.expiresAt = expiresAt;
      }
      return session;
    },
    async endPortalSession(id: string): Promise<void> {
      await db('portal_sessions').where({ id }).delete();
    },
    /** Ends every portal session of the account but `exceptId`; returns how many ended. */
    async endOtherPortalSessions(accountId: string, exceptId?: string): Promise<number> {
      const q = db('portal_sessions').where({ account_id: accountId });
      if (exceptId) q.andWhereNot({ id: exceptId });
      return q.delete();
    },
    /** Live portal sessions of the account (their browsers name the OIDC sessions they came from). */
    async listPortalSessions(accountId: string): Promise<PortalSession[]> {
      const rows = await db('portal_sessions').where({ account_id: accountId, realm: 'account' }).andWhere('expires_at', '>', db.fn.now()).orderBy('created_at', 'desc') as PortalSessionRow[];
      return rows.map(toSession);
    },
    /** Ends the portal sessions that came from one OIDC session. */
    async endPortalSessionsOfOidcSession(accountId: string, oidcSessionUid: string): Promise<number> {
      return db('portal_sessions').where({ account_id: accountId, oidc_session_uid: oidcSessionUid }).delete();
    },
    async sweepExpiredPortalSessions(limit: number): Promise<number> {
      return db('portal_sessions').whereIn('id', db('portal_sessions').select('id').where('expires_at', '<', db.fn.now()).limit(limit)).delete();
    },
  };
}

export type PortalSessions = ReturnType<typeof createPortalSessions>;
