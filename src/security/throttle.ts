// Owns fixed-window counters in the database, so limits hold across instances. Keys arrive already
// hashed (see credential-throttle); this module never sees an email or an address.
import type { Db } from '../db/create-db.ts';

export interface ThrottleState {
  hits: number;
  windowEndsAt: Date;
  lastHitAt: Date;
}

export interface ThrottleQueries {
  /** Counts one hit and returns the counter after it. */
  hit(key: string, windowSeconds: number): Promise<ThrottleState>;
  /**
   * Counts one hit only when the counter allows it, in the statement that checks it: under `limit` in
   * its window, or (with `slowdownSeconds`) past it but that long after the last hit. Undefined when refused.
   */
  reserve(key: string, windowSeconds: number, limit: number, slowdownSeconds?: number): Promise<ThrottleState | undefined>;
  /**
   * Reserves on `counters` in order, in one statement: each is tried only when the ones before it were granted.
   * Returns how many were granted (counters.length when all were); the granted ones stay counted.
   */
  reserveInOrder(counters: readonly ThrottleReservation[]): Promise<number>;
  /** Gives back one hit of the live window (an attempt that turned out not to count). */
  release(key: string): Promise<void>;
  /** Deletes `clearKey` (when given) and gives back one hit of each of `keys`, in one statement. */
  settle(keys: readonly string[], clearKey?: string): Promise<void>;
  peek(key: string): Promise<ThrottleState | undefined>;
  clear(key: string): Promise<void>;
  /** Deletes every counter whose key starts with one of `prefixes`; returns how many. */
  clearPrefixed(prefixes: string[]): Promise<number>;
  sweepExpired(limit: number): Promise<number>;
}

export interface ThrottleReservation {
  key: string;
  windowSeconds: number;
  limit: number;
  slowdownSeconds?: number;
}

interface ThrottleRow {
  hits: number;
  window_ends_at: Date;
  last_hit_at: Date;
}

// A new window starts at 1; a live one counts on. Shared by hit and reserve.
const UPSERT = `INSERT INTO throttles (key, hits, window_ends_at, last_hit_at)
  VALUES (?, 1, now() + make_interval(secs => ?), now())
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN throttles.window_ends_at <= now() THEN 1 ELSE throttles.hits + 1 END,
    window_ends_at = CASE WHEN throttles.window_ends_at <= now() THEN excluded.window_ends_at ELSE throttles.window_ends_at END,
    last_hit_at = now()`;
const RETURNING = 'RETURNING hits, window_ends_at, last_hit_at';
const ON_CONFLICT = UPSERT.slice(UPSERT.indexOf('ON CONFLICT'));
const reserveCondition = (slowdownSeconds: number | undefined) =>
  `WHERE throttles.window_ends_at <= now() OR throttles.hits < ?${slowdownSeconds === undefined ? '' : ' OR throttles.last_hit_at <= now() - make_interval(secs => ?)'}`;
const reserveBindings = (c: ThrottleReservation) => c.slowdownSeconds === undefined ? [c.limit] : [c.limit, c.slowdownSeconds];

/**
 * One statement reserving on several counters in order: counter i is upserted only when counter i-1 was
 * (its row came back), so a refusal stops the chain as separate statements would, in one round trip.
 */
function reserveChainSql(counters: readonly ThrottleReservation[]): { sql: string; bindings: unknown[] } {
  const ctes: string[] = [];
  const bindings: unknown[] = [];
  counters.forEach((c, i) => {
    const guard = i === 0 ? '' : ` WHERE EXISTS (SELECT 1 FROM r${i - 1})`;
    ctes.push(`r${i} AS (INSERT INTO throttles (key, hits, window_ends_at, last_hit_at)
      SELECT ?, 1, now() + make_interval(secs => ?), now()${guard}
      ${ON_CONFLICT} ${reserveCondition(c.slowdownSeconds)} RETURNING 1)`);
    bindings.push(c.key, c.windowSeconds, ...reserveBindings(c));
  });
  const granted = counters.map((_, i) => `(SELECT count(*) FROM r${i})`).join(' + ');
  return { sql: `WITH ${ctes.join(',\n')} SELECT (${granted})::int AS granted`, bindings };
}

const toState = (row: ThrottleRow): ThrottleState => ({
  hits: Number(row.hits),
  windowEndsAt: new Date(row.window_ends_at),
  lastHitAt: new Date(row.last_hit_at),
});

export function createThrottleQueries(db: Db): ThrottleQueries {
  return {
    async hit(key, windowSeconds) {
      const result = await db.raw<{ rows: ThrottleRow[] }>(`${UPSERT} ${RETURNING}`, [key, windowSeconds]);
      return toState(result.rows[0]!);
    },
    async reserve(key, windowSeconds, limit, slowdownSeconds) {
      // The conflicting row is locked before the WHERE is checked, so parallel reservations queue on it.
      const slowed = slowdownSeconds === undefined ? '' : ' OR throttles.last_hit_at <= now() - make_interval(secs => ?)';
      const result = await db.raw<{ rows: ThrottleRow[] }>(
        `${UPSERT} WHERE throttles.window_ends_at <= now() OR throttles.hits < ?${slowed} ${RETURNING}`,
        slowdownSeconds === undefined ? [key, windowSeconds, limit] : [key, windowSeconds, limit, slowdownSeconds],
      );
      const row = result.rows[0];
      return row ? toState(row) : undefined;
    },
    async reserveInOrder(counters) {
      if (counters.length === 0) return 0;
      const { sql, bindings } = reserveChainSql(counters);
      const result = await db.raw<{ rows: { granted: number }[] }>(sql, bindings as never[]);
      return Number(result.rows[0]!.granted);
    },
    async settle(keys, clearKey) {
      const release = `UPDATE throttles SET hits = hits - 1 WHERE key IN (${keys.map(() => '?').join(', ')}) AND hits > 0 AND window_ends_at > now()`;
      if (clearKey === undefined) {
        if (keys.length) await db.raw(release, [...keys]);
        return;
      }
      if (!keys.length) return void (await db.raw('DELETE FROM throttles WHERE key = ?', [clearKey]));
      await db.raw(`WITH cleared AS (DELETE FROM throttles WHERE key = ?) ${release}`, [clearKey, ...keys]);
    },
    async release(key) {
      await db('throttles').where({ key }).andWhere('hits', '>', 0).andWhere('window_ends_at', '>', db.fn.now()).decrement('hits', 1);
    },
    async peek(key) {
      const row: ThrottleRow | undefined = await db('throttles').where({ key }).andWhere('window_ends_at', '>', db.fn.now()).first();
      return row ? toState(row) : undefined;
    },
    async clear(key) {
      await db('throttles').where({ key }).delete();
    },
    async clearPrefixed(prefixes) {
      if (prefixes.length === 0) return 0;
      // left() rather than LIKE: the keys' base64url alphabet holds LIKE's wildcard _.
      return db('throttles').where((q) => {
        for (const prefix of prefixes) q.orWhereRaw('left(key, ?) = ?', [prefix.length, prefix]);
      }).delete();
    },
    async sweepExpired(limit) {
      return db('throttles').whereIn('key', db('throttles').select('key').where('window_ends_at', '<=', db.fn.now()).limit(limit)).delete();
    },
  };
}
