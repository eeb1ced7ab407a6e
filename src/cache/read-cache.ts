// Owns short-lived, bounded caches of rows read on every request (clients, resources, grants). Writers
// through this process clear an entry at once; other instances see a change within the TTL.

export interface ReadCache<V> {
  get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined>;
  forget(key: string): void;
}

export function createReadCache<V>(ttlMs: number, maxEntries = 1000): ReadCache<V> {
  const entries = new Map<string, { value: V; until: number }>();
  return {
    async get(key, load) {
      const hit = entries.get(key);
      if (hit && hit.until > Date.now()) return structuredClone(hit.value);
      const value = await load();
      if (value === undefined) return undefined; // never cache misses: unknown keys are attacker-chosen
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, until: Date.now() + ttlMs });
      return structuredClone(value);
    },
    forget(key) {
      entries.delete(key);
    },
  };
}
