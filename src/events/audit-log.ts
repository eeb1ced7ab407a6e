// Owns reading the audit log (the events table, append-only: nothing here changes a row): filtered by actor,
// target (the account, the client, or the id a change was about), type (exact, or a prefix ending in `.*`)
// and time, newest first, paged with an opaque keyset cursor.
import type { Db } from '../db/create-db.ts';
import type { StoredEvent } from './outbox.ts';

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

export function encodeAuditCursor(createdKey: string, id: string): string {
  return Buffer.from(JSON.stringify([createdKey, id])).toString('base64url');
}

export function decodeAuditCursor(cursor: string): { createdKey: string; id: string } | undefined {
  try {
    const [createdKey, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdKey !== 'string' || typeof id !== 'string' || !/^evt_[\w-]{1,60}$/.test(id) || createdKey.length > 40 || Number.isNaN(Date.parse(createdKey))) return undefined;
    return { createdKey, id };
  } catch {
    return undefined;
  }
}

/** An erased administrator's changes keep their actor, renamed to the tombstone (the log itself is never cut). */
export async function renameActor(trx: Db, from: string, to: string): Promise<void> {
  await trx('events').where({ actor: from }).update({ actor: to });
}

export function createAuditLog(db: Db) {
  return {
    async searchEvents(filter: AuditFilter, page: { limit: number; cursor?: { createdKey: string; id: string } | undefined }): Promise<{ events: StoredEvent[]; next: string | null }> {
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
      if (page.cursor) query.whereRaw('(created_at, id) < (?::timestamptz, ?)', [page.cursor.createdKey, page.cursor.id]);
      const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(page.limit + 1) as Row[];
      const shown = rows.slice(0, page.limit);
      const last = shown.at(-1);
      return {
        events: shown.map((r) => ({
          id: r.id, type: r.type, accountId: r.account_id, clientId: r.client_id, actor: r.actor, data: r.data, restricted: r.restricted, createdAt: new Date(r.created_at),
        })),
        next: rows.length > page.limit && last ? encodeAuditCursor(last.created_key, last.id) : null,
      };
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
