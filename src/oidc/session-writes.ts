// Owns writing oidc-provider's sessions without losing a concurrent change. oidc-provider reads a session at
// the start of a request and writes the whole of it back at the end; meanwhile Foyer may have changed the
// same row ("Remove access" forgets a client in it; a sign-out elsewhere deletes it). A plain upsert of the
// stale copy would undo that. So within a Provider request the session's payload as read is remembered, and
// the write is a compare-and-set on it: when the row changed meanwhile, the two changes are merged (three-way,
// what this request did not touch comes from the row), and a row deleted meanwhile is not brought back.
import { AsyncLocalStorage } from 'node:async_hooks';
import { isDeepStrictEqual } from 'node:util';
import type { AdapterPayload } from 'oidc-provider';
import type { Knex } from 'knex';
import type { Db } from '../db/create-db.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What one Provider request remembers: the sessions it read (by id, as JSON), and reads and writes the adapter combined. */
export interface ProviderRequestMemo {
  reads: Map<string, string>;
  /** Sessions read in the same statement as a token (by uid; null: none live), for the session read that follows (adapter.ts). */
  sessionsByUid: Map<string, { payload: AdapterPayload; consumed_at: Date | null } | null>;
  /**
   * On the token and userinfo endpoints, the account a token names is read with the token (adapter.ts), for
   * findAccount later in the same request (claims.ts): by account id, null when none; each entry used once.
   */
  accountsById?: Map<string, unknown> | undefined;
  /** Token writes left for later in this request, to go in one statement (deferred-writes.ts). */
  pendingWrites?: { db: Db; writes: { sql: string; bindings: Knex.RawBinding[] }[] } | undefined;
}

const memoOfRequest = new AsyncLocalStorage<ProviderRequestMemo>();

/** This Provider request's memo; undefined outside a Provider request. */
export const providerRequestMemo = (): ProviderRequestMemo | undefined => memoOfRequest.getStore();

/**
 * Runs one Provider request: the sessions it reads are remembered, so its writes cannot undo another's.
 * `settle` runs once it is handled (writes still waiting then are made there).
 */
export async function inProviderRequest<T>(handle: () => Promise<T>, settle?: (memo: ProviderRequestMemo) => Promise<void>, options: { accountsWithTokens?: boolean } = {}): Promise<T> {
  const memo: ProviderRequestMemo = { reads: new Map(), sessionsByUid: new Map(), ...(options.accountsWithTokens ? { accountsById: new Map() } : {}) };
  try {
    return await memoOfRequest.run(memo, handle);
  } finally {
    await settle?.(memo);
  }
}

/** The account read with a token in this request (taken: a second findAccount reads afresh); undefined when none was. */
export function takeAccountReadWithToken(accountId: string): { row: unknown } | undefined {
  const accounts = memoOfRequest.getStore()?.accountsById;
  if (!accounts?.has(accountId)) return undefined;
  const row = accounts.get(accountId);
  accounts.delete(accountId);
  return { row };
}

/** Remembers a session as read in this request (outside a Provider request, nothing to remember). */
export function rememberSessionRead(id: string, payload: AdapterPayload): void {
  memoOfRequest.getStore()?.reads.set(id, JSON.stringify(payload));
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Three-way merge of JSON values: what `ours` did not change from `base` comes from `theirs`; a key both changed, ours (deeper where both are objects). */
export function mergeThreeWay(base: Json | undefined, ours: Json | undefined, theirs: Json | undefined): Json | undefined {
  if (isDeepStrictEqual(ours, base)) return theirs;
  if (isDeepStrictEqual(theirs, base)) return ours;
  if (!isObject(base) || !isObject(ours) || !isObject(theirs)) return ours;
  const merged: { [key: string]: Json } = {};
  for (const key of new Set([...Object.keys(base), ...Object.keys(ours), ...Object.keys(theirs)])) {
    const value = mergeThreeWay(base[key], ours[key], theirs[key]);
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

const UPDATE_IF_UNCHANGED_SQL = `UPDATE oidc_models SET payload = ?::jsonb, uid = ?, account_id = ?, expires_at = ?
  WHERE model = 'Session' AND id = ? AND payload = ?::jsonb`;
const CURRENT_SQL = "SELECT payload FROM oidc_models WHERE model = 'Session' AND id = ?";
const MAX_ROUNDS = 5;

/** Rows changed by a raw statement, on pg (rowCount) and PGlite (affectedRows). */
const affected = (result: { rowCount?: number | null; affectedRows?: number }) => result.rowCount ?? result.affectedRows ?? 0;

/**
 * True when `next` differs from the session as read only in its expiry (`exp`), moved on by no more than
 * `slackSeconds`: writing it would only move the idle expiry that little (never back, never past the slack).
 */
export function onlyExpiryMovedWithin(read: string, next: AdapterPayload, slackSeconds: number): boolean {
  if (slackSeconds <= 0) return false;
  const { exp: before, ...restBefore } = JSON.parse(read) as { exp?: unknown };
  const { exp: after, ...restAfter } = JSON.parse(JSON.stringify(next)) as { exp?: unknown };
  if (typeof before !== 'number' || typeof after !== 'number') return false;
  return after >= before && after - before <= slackSeconds && isDeepStrictEqual(restBefore, restAfter);
}

/**
 * Writes a session read earlier in this request; false when it was not read here (the caller upserts it as usual).
 * Resolves once written, merged with a concurrent change, or left deleted. A save that would only move the idle
 * expiry on by at most `expirySlackSeconds` is not sent: the row keeps its expiry, at most that much earlier
 * than the cookie's (the database's is the one that counts), and the session is otherwise as read.
 */
export async function writeSessionRead(db: Db, id: string, payload: AdapterPayload, expiresAt: Date | null, expirySlackSeconds = 0): Promise<boolean> {
  const reads = memoOfRequest.getStore()?.reads;
  const read = reads?.get(id);
  if (!reads || read === undefined) return false;
  if (onlyExpiryMovedWithin(read, payload, expirySlackSeconds)) return true;
  let base = read;
  let next = payload as Json;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const json = JSON.stringify(next);
    const record = next as { uid?: string; accountId?: string };
    const result = await db.raw(UPDATE_IF_UNCHANGED_SQL, [json, record.uid ?? null, record.accountId ?? null, expiresAt, id, base]) as { rowCount?: number | null; affectedRows?: number };
    if (affected(result) > 0) {
      reads.set(id, json);
      return true;
    }
    const current = (await db.raw<{ rows: { payload: Json }[] }>(CURRENT_SQL, [id])).rows[0]?.payload;
    // Ended meanwhile (signed out, swept): it stays ended.
    if (current === undefined) {
      reads.delete(id);
      return true;
    }
    next = mergeThreeWay(JSON.parse(base) as Json, next, current) ?? current;
    base = JSON.stringify(current);
  }
  throw new Error(`session ${id} kept changing while it was written`);
}
