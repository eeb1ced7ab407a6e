// Owns reading the audit log (the events table, append-only: nothing here changes a row): filtered by actor,
// target (the account, the client, or the id a change was about), type (exact, or a prefix ending in `.*`)
// and time, newest first, paged with an opaque keyset cursor.
import type { Db } from '../db/create-db.ts';
import type { StoredEvent } from './outbox.ts';
import { encodeCursor, TIMESTAMP_KEY, type CursorShape, type KeysetCursor } from '../paging/keyset-cursor.ts';

export interface AuditFilter {
  actor?: string | undefined;
  target?: string | undefined;
  type?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

interface Row {
  id: string; type: string; account_id: string | null; client_id: string | null; actor: string | null; data: Record<string, unknown>;
  restricted: boolean; created_at: Date; created_key: string;
}

/** The cursor an audit page gives: the last event's time (to the microsecond) and id. */
export const AUDIT_CURSOR: CursorShape = { key: TIMESTAMP_KEY, id: /^evt_[\w-]{1,60}$/ };

/** An erased administrator's changes keep their actor, renamed to the tombstone (the log itself is never cut). */
export async function renameActor(trx: Db, from: string, to: string): Promise<void> {
  await trx('events').where({ actor: from }).update({ actor: to });
}

export function createAuditLog(db: Db) {
  return {
    async searchEvents(filter: AuditFilter, page: { limit: number; cursor?: KeysetCursor | undefined }): Promise<{ events: StoredEvent[]; next: string | null }> {
      const query = db('events').select('id', 'type', 'account_id', 'client_id', 'actor', 'data', 'restricted', 'created_at', db.raw('created_at::text AS created_key'));
      if (filter.actor) query.where('actor', filter.actor);
      if (filter.type) {
        if (filter.type.endsWith('.*')) query.whereRaw('left(type, ?) = ?', [filter.type.length - 1, filter.type.slice(0, -1)]);
        else query.where('type', filter.type);
      }
      const { target } = filter;
      if (target) {
        query.where((w) => {
          w.where('account_id', target).orWhere('client_id', target)
            .orWhereRaw("data->>'id' = ?", [target]).orWhereRaw("data->>'target' = ?", [target]).orWhereRaw("data->>'clientId' = ?", [target]);
        });
      }
      if (filter.from) query.where('created_at', '>=', filter.from);
      if (filter.to) query.where('created_at', '<', filter.to);
      if (page.cursor) query.whereRaw('(created_at, id) < (?::timestamptz, ?)', [page.cursor.key, page.cursor.id]);
      const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(page.limit + 1) as Row[];
      const shown = rows.slice(0, page.limit);
      const last = shown.at(-1);
      return {
        events: shown.map((r) => ({
          id: r.id, type: r.type, accountId: r.account_id, clientId: r.client_id, actor: r.actor, data: r.data, restricted: r.restricted, createdAt: new Date(r.created_at),
        })),
        next: rows.length > page.limit && last ? encodeCursor({ key: last.created_key, id: last.id }) : null,
      };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
