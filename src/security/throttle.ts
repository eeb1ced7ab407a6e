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
  peek(key: string): Promise<ThrottleState | undefined>;
  /** The live counters among `keys`, in one query. */
  peekMany(keys: string[]): Promise<Map<string, ThrottleState>>;
  clear(key: string): Promise<void>;
  /** Deletes every counter whose key starts with one of `prefixes`; returns how many. */
  clearPrefixed(prefixes: string[]): Promise<number>;
  sweepExpired(limit: number): Promise<number>;
}

interface ThrottleRow {
  hits: number;
  window_ends_at: Date;
  last_hit_at: Date;
}

const toState = (row: ThrottleRow): ThrottleState => ({
  hits: Number(row.hits),
  windowEndsAt: new Date(row.window_ends_at),
  lastHitAt: new Date(row.last_hit_at),
});

export function createThrottleQueries(db: Db): ThrottleQueries {
  return {
    async hit(key, windowSeconds) {
      const result = await db.raw<{ rows: ThrottleRow[] }>(
        `INSERT INTO throttles (key, hits, window_ends_at, last_hit_at)
         VALUES (?, 1, now() + make_interval(secs => ?), now())
         ON CONFLICT (key) DO UPDATE SET
           hits = CASE WHEN throttles.window_ends_at <= now() THEN 1 ELSE throttles.hits + 1 END,
           window_ends_at = CASE WHEN throttles.window_ends_at <= now() THEN excluded.window_ends_at ELSE throttles.window_ends_at END,
           last_hit_at = now()
         RETURNING hits, window_ends_at, last_hit_at`,
        [key, windowSeconds],
      );
      return toState(result.rows[0]!);
    },
    async peek(key) {
      const row: ThrottleRow | undefined = await db('throttles').where({ key }).andWhere('window_ends_at', '>', db.fn.now()).first();
      return row ? toState(row) : undefined;
    },
    async peekMany(keys) {
      const rows = await db('throttles').whereIn('key', keys).andWhere('window_ends_at', '>', db.fn.now()).select('key', 'hits', 'window_ends_at', 'last_hit_at') as (ThrottleRow & { key: string })[];
      return new Map(rows.map((row) => [row.key, toState(row)]));
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
