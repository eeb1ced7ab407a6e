// An in-memory stand-in for the throttles table, with the same rules as src/security/throttle.ts (for unit tests).
import type { ThrottleQueries, ThrottleReservation, ThrottleState } from '../../src/security/throttle.ts';

export function memoryQueries(): ThrottleQueries & { rows: Map<string, ThrottleState> } {
  const rows = new Map<string, ThrottleState>();
  const live = (key: string) => {
    const row = rows.get(key);
    return row && row.windowEndsAt > new Date() ? row : undefined;
  };
  const queries = {
    rows,
    async hit(key: string, windowSeconds: number) {
      const now = new Date();
      const row = live(key);
      const next = row ? { ...row, hits: row.hits + 1, lastHitAt: now } : { hits: 1, windowEndsAt: new Date(now.getTime() + windowSeconds * 1000), lastHitAt: now };
      rows.set(key, next);
      return next;
    },
    async reserve(key: string, windowSeconds: number, limit: number, slowdownSeconds?: number) {
      const row = live(key);
      const slotFree = slowdownSeconds !== undefined && row !== undefined && row.lastHitAt.getTime() <= Date.now() - slowdownSeconds * 1000;
      if (row && row.hits >= limit && !slotFree) return undefined;
      return queries.hit(key, windowSeconds);
    },
    async reserveInOrder(counters: readonly ThrottleReservation[]) {
      let granted = 0;
      for (const c of counters) {
        if (!(await queries.reserve(c.key, c.windowSeconds, c.limit, c.slowdownSeconds))) break;
        granted += 1;
      }
      return granted;
    },
    async release(key: string) {
      const row = live(key);
      if (row && row.hits > 0) row.hits -= 1;
    },
    async settle(keys: readonly string[], clearKey?: string) {
      if (clearKey !== undefined) rows.delete(clearKey);
      for (const key of keys) await queries.release(key);
    },
    peek: async (key: string) => live(key),
    async clear(key: string) {
      rows.delete(key);
    },
    async clearPrefixed(prefixes: string[]) {
      const gone = [...rows.keys()].filter((key) => prefixes.some((p) => key.startsWith(p)));
      for (const key of gone) rows.delete(key);
      return gone.length;
    },
    sweepExpired: async () => 0,
  };
  return queries;
}
