// Owns oidc-provider's storage: every model in one table keyed by (model, id), clients from the clients
// table. Consume is atomic; a rotated-out refresh token stays usable for a short grace (tabs refreshing at once).
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Db } from '../db/create-db.ts';
import { createReadCache } from '../cache/read-cache.ts';
import { providerRequestMemo, rememberSessionRead, writeSessionRead, type ProviderRequestMemo } from './session-writes.ts';
import { combined, defer, flushPending, takePending } from './deferred-writes.ts';
import type { ClientStore } from './clients.ts';

export interface ModelRow {
  payload: AdapterPayload;
  consumed_at: Date | null;
}

interface TokenRow extends ModelRow {
  /** The live session the token is bound to (expiresWithSession), read in the same statement; null when none. */
  session_payload: AdapterPayload | null;
  session_consumed_at: Date | null;
}

export interface AdapterOptions {
  refreshReuseGraceSeconds: number;
  /**
   * A session saved again with nothing changed but its idle expiry, moved on by at most this many seconds, is not
   * written (session-writes.ts): a returning customer's sign-in saves the session only to move that expiry. 0: always.
   */
  sessionExpirySlackSeconds?: number;
  /**
   * The read of the account whose id is the given SQL expression (claims.ts): on the token and userinfo
   * endpoints it joins the token's read, so findAccount of the same request sends no statement of its own.
   */
  accountWithToken?: (accountIdSql: string) => string;
}

// The hot path runs as plain SQL: building queries per request was a measurable share of the CPU.
const LIVE = '(expires_at IS NULL OR expires_at > now())';
const FIND_BY_ID_SQL = `SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND id = ? AND ${LIVE}`;
const FIND_BY_UID_SQL = `SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND uid = ? AND ${LIVE} LIMIT 1`;
const FIND_BY_USER_CODE_SQL = `SELECT payload, consumed_at FROM oidc_models WHERE model = ? AND user_code = ? AND ${LIVE} LIMIT 1`;
// A token bound to its session is checked against the session right after it is read (oidc-provider's
// checkSessionBinding reads it by uid): within a Provider request both come in one statement.
const FIND_TOKEN_WITH_SESSION_SQL = `SELECT t.payload, t.consumed_at, s.payload AS session_payload, s.consumed_at AS session_consumed_at
  FROM oidc_models t
  LEFT JOIN LATERAL (SELECT payload, consumed_at FROM oidc_models
                      WHERE model = 'Session' AND uid = t.payload->>'sessionUid' AND ${LIVE} LIMIT 1) s
         ON t.payload->>'expiresWithSession' = 'true'
 WHERE t.model = ? AND t.id = ? AND (t.expires_at IS NULL OR t.expires_at > now())`;
// The account a token names, as a uuid (null when it names none or no valid one: the cast must never fail).
const TOKEN_ACCOUNT_ID_SQL = `(CASE WHEN t.payload->>'accountId' ~ '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
  THEN (t.payload->>'accountId')::uuid END)`;
// (Replaced by functions: the account's SQL holds `$'`, which a replacement string would expand.)
const withAccount = (accountSql: string) => FIND_TOKEN_WITH_SESSION_SQL
  .replace('s.consumed_at AS session_consumed_at', () => 's.consumed_at AS session_consumed_at, acc.*')
  .replace('\n WHERE t.model = ?', () => `\n  LEFT JOIN LATERAL (${accountSql}) acc ON true\n WHERE t.model = ?`);
const TOKEN_COLUMNS = new Set(['payload', 'consumed_at', 'session_payload', 'session_consumed_at']);
const SESSION_BOUND = new Set(['AccessToken', 'RefreshToken', 'AuthorizationCode']);
const CONSUME_SQL = 'UPDATE oidc_models SET consumed_at = now() WHERE model = ? AND id = ? AND consumed_at IS NULL';
const UPSERT_SQL = `INSERT INTO oidc_models (model, id, payload, grant_id, uid, user_code, account_id, expires_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
    user_code = excluded.user_code, account_id = excluded.account_id, expires_at = excluded.expires_at`;
// Written with the request's next write (deferred-writes.ts): what a refresh or a code exchange stores.
const DEFERRED_UPSERTS = new Set(['AccessToken', 'RefreshToken']);

/** Rows changed by a raw statement, on pg (rowCount) and PGlite (affectedRows). */
const affected = (result: { rowCount?: number | null; affectedRows?: number }) => result.rowCount ?? result.affectedRows ?? 0;

export function createAdapterClass(db: Db, clients: ClientStore, options: AdapterOptions) {
  // Grants are read on every token and userinfo request. Revoking a grant deletes its tokens, so a
  // grant cached a few seconds longer on another instance can no longer be used through them.
  const grants = createReadCache<AdapterPayload>(5000);
  const findTokenWithAccountSql = options.accountWithToken && withAccount(options.accountWithToken(TOKEN_ACCOUNT_ID_SQL));
  return class KnexAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new errors.InvalidRequest('clients are managed with the foyer command or the admin API');
      // PostgreSQL text and jsonb cannot hold NUL; refuse rather than fail deep inside the driver.
      if (this.model === 'Grant') grants.forget(id);
      const json = JSON.stringify(payload);
      if (json.includes('\\u0000')) throw new errors.InvalidRequest('parameters must not contain NUL characters');
      const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
      const write = { sql: UPSERT_SQL, bindings: [this.model, id, json, payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, payload.accountId ?? null, expiresAt] };
      if (DEFERRED_UPSERTS.has(this.model) && defer(db, write)) return;
      if (this.model === 'Session') {
        await flushPending();
        // A session read earlier in this request is written so that a change made meanwhile survives (session-writes.ts).
        if (await writeSessionRead(db, id, payload, expiresAt, options.sessionExpirySlackSeconds ?? 0)) return;
      }
      const statement = combined(takePending(), write);
      await db.raw(statement.sql, statement.bindings);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.findClientMetadata(id);
      // A read of oidc_models sees this request's writes: those waiting go first.
      await flushPending();
      if (this.model === 'Grant') return grants.get(id, () => this.findBy(FIND_BY_ID_SQL, id));
      const memo = providerRequestMemo();
      if (memo && SESSION_BOUND.has(this.model)) return this.findWithSession(id, memo);
      return this.findBy(FIND_BY_ID_SQL, id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const prefetched = this.model === 'Session' ? providerRequestMemo()?.sessionsByUid : undefined;
      if (prefetched?.has(uid)) {
        // Read with the token a moment ago in this request; used once, a later read goes to the database.
        const row = prefetched.get(uid);
        prefetched.delete(uid);
        return row ? this.fromRow(row.payload, row.consumed_at) : undefined;
      }
      await flushPending();
      return this.findBy(FIND_BY_UID_SQL, uid);
    }

    /**
     * A token, and the session it is bound to (kept for this request's session read by uid); on the token and
     * userinfo endpoints also the account it names (kept for this request's findAccount).
     */
    private async findWithSession(id: string, memo: ProviderRequestMemo): Promise<AdapterPayload | undefined> {
      if (id.includes('\0')) return undefined;
      const accounts = findTokenWithAccountSql ? memo.accountsById : undefined;
      const row = (await db.raw<{ rows: TokenRow[] }>(accounts ? findTokenWithAccountSql! : FIND_TOKEN_WITH_SESSION_SQL, [this.model, id])).rows[0];
      if (!row) return undefined;
      const uid = row.payload.sessionUid;
      if (row.payload.expiresWithSession === true && typeof uid === 'string') {
        memo.sessionsByUid.set(uid, row.session_payload ? { payload: row.session_payload, consumed_at: row.session_consumed_at } : null);
      }
      const accountId = row.payload.accountId;
      if (accounts && typeof accountId === 'string') {
        const account = Object.fromEntries(Object.entries(row).filter(([column]) => !TOKEN_COLUMNS.has(column)));
        accounts.set(accountId, account.id ? account : null);
      }
      return this.fromRow(row.payload, row.consumed_at);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      await flushPending();
      return this.findBy(FIND_BY_USER_CODE_SQL, userCode);
    }

    private async findBy(sql: string, value: string): Promise<AdapterPayload | undefined> {
      if (value.includes('\0')) return undefined;
      const row = (await db.raw<{ rows: ModelRow[] }>(sql, [this.model, value])).rows[0];
      return row ? this.fromRow(row.payload, row.consumed_at) : undefined;
    }

    private fromRow(payload: AdapterPayload, consumedAtValue: Date | null): AdapterPayload {
      if (this.model === 'Session' && typeof payload.jti === 'string') rememberSessionRead(payload.jti, payload);
      if (consumedAtValue) {
        const consumedAt = new Date(consumedAtValue).getTime();
        const inGrace = this.model === 'RefreshToken' && Date.now() - consumedAt < options.refreshReuseGraceSeconds * 1000;
        if (!inGrace) payload.consumed = Math.floor(consumedAt / 1000);
      }
      return payload;
    }

    async consume(id: string): Promise<void> {
      // A refresh token's consume is not checked (a second one inside the grace is allowed): it waits, and goes
      // with the writes of its successor.
      if (this.model === 'RefreshToken' && defer(db, { sql: CONSUME_SQL, bindings: [this.model, id] })) return;
      await flushPending();
      const updated = (await db.raw<{ rowCount: number | null; affectedRows?: number }>(CONSUME_SQL, [this.model, id]));
      // A refresh token re-consumed inside its grace keeps its first consumption time; anything else
      // consumed twice lost a race with a concurrent request and must not be used.
      if (affected(updated) === 0 && this.model !== 'RefreshToken') throw new errors.InvalidGrant(`${this.model} already used`);
    }

    async destroy(id: string): Promise<void> {
      await flushPending();
      if (this.model === 'Grant') grants.forget(id);
      await db('oidc_models').where({ model: this.model, id }).delete();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await flushPending();
      grants.forget(grantId);
      await db('oidc_models').where({ grant_id: grantId }).delete();
    }
  };
}

export function createOidcModelQueries(db: Db) {
  return {
    /** Deletes up to `limit` expired rows; returns how many went. */
    async sweepExpiredModels(limit: number): Promise<number> {
      return db('oidc_models')
        .whereIn(['model', 'id'], db('oidc_models').select('model', 'id').where('expires_at', '<', db.fn.now()).limit(limit))
        .delete();
    },
    async findGrantIds(accountId: string, clientId?: string): Promise<string[]> {
      const q = db('oidc_models').where({ model: 'Grant', account_id: accountId });
      if (clientId) q.andWhereRaw("payload->>'clientId' = ?", [clientId]);
      return (await q.select('id')).map((r: { id: string }) => r.id);
    },
    async deleteSessionsOfAccount(accountId: string, exceptSessionUid?: string): Promise<number> {
      const q = db('oidc_models').where({ model: 'Session', account_id: accountId });
      if (exceptSessionUid) q.andWhere((w) => w.whereNull('uid').orWhereNot('uid', exceptSessionUid));
      return q.delete();
    },
    async deleteSessionByUid(accountId: string, sessionUid: string): Promise<number> {
      return db('oidc_models').where({ model: 'Session', account_id: accountId, uid: sessionUid }).delete();
    },
    async listLiveSessionsOfAccount(accountId: string): Promise<{ payload: Record<string, unknown>; expires_at: Date | null }[]> {
      return db('oidc_models').where({ model: 'Session', account_id: accountId })
        .andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now())).select('payload', 'expires_at');
    },
    async isSessionLive(accountId: string, sessionUid: string): Promise<boolean> {
      const row = await db('oidc_models').where({ model: 'Session', account_id: accountId, uid: sessionUid })
        .andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now())).first('id');
      return Boolean(row);
    },
    /** The session forgets a client (SSO to it starts over), in one statement; a Provider request writing the session meanwhile keeps this (session-writes.ts). */
    async forgetClientInSession(sessionId: string, clientId: string): Promise<void> {
      await db.raw("UPDATE oidc_models SET payload = payload #- ARRAY['authorizations', ?]::text[] WHERE model = 'Session' AND id = ?", [clientId, sessionId]);
    },
    async deleteByGrantIds(grantIds: string[]): Promise<void> {
      if (grantIds.length === 0) return;
      await db('oidc_models').whereIn('grant_id', grantIds).delete();
      await db('oidc_models').where('model', 'Grant').whereIn('id', grantIds).delete();
    },
  };
}
