// Owns the one opaque cursor of every paged list (customers, the audit log, the consent vault, the admin API's
// other lists): where a page ends, as base64url JSON of the last row's sort key and id. Imports nothing from Foyer.

/** Where a page ends: the last row's sort key (e.g. its creation time as the database writes it) and its id. */
export interface KeysetCursor {
  key: string;
  id: string;
}

/** What a list accepts back: the patterns its key and id must match (anything else is not a cursor it gave). */
export interface CursorShape {
  key: RegExp;
  id: RegExp;
}

/**
 * A timestamp as PostgreSQL writes timestamptz as text (`created_at::text`), e.g. 2026-12-03 09:00:00.123456+00:
 * to the microsecond, so rows written in one transaction (same time) are never skipped at a page boundary.
 */
export const TIMESTAMP_KEY = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id])).toString('base64url');
}

/** The cursor `value` carries when it has the list's shape; undefined for anything else (never a throw). */
export function decodeCursor(value: string, shape: CursorShape): KeysetCursor | undefined {
  try {
    const [key, id, ...rest] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    if (rest.length > 0 || typeof key !== 'string' || typeof id !== 'string' || !shape.key.test(key) || !shape.id.test(id)) return undefined;
    return { key, id };
  } catch {
    return undefined;
  }
}
