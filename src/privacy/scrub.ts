// Owns removing a person from a JSON value that must be kept (ledger details, audit event data): the
// account id becomes the tombstone, strings holding the person's email, name or phone become "[erased]".
export interface ScrubTarget {
  accountId: string;
  tombstone: string;
  /** The person's emails, names, phone numbers…: any string containing one (case-insensitive) goes. */
  needles: string[];
}

/** Keys whose values describe the person or their device, whatever they hold. */
const PERSONAL_KEYS = new Set(['ip', 'ip_address', 'user_agent', 'userAgent', 'email', 'phone_number', 'name', 'given_name', 'family_name']);

export const ERASED = '[erased]';

export function scrubJson(value: unknown, target: ScrubTarget): unknown {
  const needles = target.needles.filter((n) => n.length >= 3).map((n) => n.toLowerCase());
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (v === target.accountId) return target.tombstone;
      const lower = v.toLowerCase();
      if (lower.includes(target.accountId.toLowerCase())) return ERASED;
      return needles.some((n) => lower.includes(n)) ? ERASED : v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, inner]) => [k, PERSONAL_KEYS.has(k) && inner !== null ? ERASED : walk(inner)]));
    }
    return v;
  };
  return walk(value);
}

/** Every string inside a JSON value (profile values such as an address object hold several). */
export function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value && typeof value === 'object') return Object.values(value as Record<string, unknown>).flatMap(stringsIn);
  return [];
}
