// Owns the events table: every domain module records what happened here (the audit log), and each event
// queues its webhook deliveries in the same transaction (src/events/webhooks). Events carry ids and names of
// what changed, never a secret or code.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/create-db.ts';
import { patternsMatching } from './webhooks/store.ts';

export interface DomainEvent {
  /** Dotted name, e.g. `account.created`, `consent.withdrawn`, `profile.updated`. */
  type: string;
  accountId?: string | null | undefined;
  clientId?: string | null | undefined;
  data?: Record<string, unknown>;
  /** Who made the change: `client:<client id>`, `admin:<sub>` (the admin pages), `cli:<OS user>` (the foyer command). */
  actor?: string | undefined;
  /** The account restricted processing: downstream systems must treat the event accordingly. */
  restricted?: boolean;
}

export interface StoredEvent {
  id: string;
  type: string;
  accountId: string | null;
  clientId: string | null;
  data: Record<string, unknown>;
  restricted: boolean;
  actor: string | null;
  createdAt: Date;
}

interface EventRow {
  id: string;
  type: string;
  account_id: string | null;
  client_id: string | null;
  data: Record<string, unknown>;
  restricted: boolean;
  actor: string | null;
  created_at: Date;
}

const toEvent = (row: EventRow): StoredEvent => ({
  id: row.id, type: row.type, accountId: row.account_id, clientId: row.client_id, data: row.data, restricted: row.restricted, actor: row.actor ?? null, createdAt: new Date(row.created_at),
});

const EMIT_SQL = `WITH event AS (
    INSERT INTO events (id, type, account_id, client_id, data, restricted, actor) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id)
  INSERT INTO webhook_deliveries (id, webhook_id, event_id, account_id)
  SELECT 'whd_' || replace(gen_random_uuid()::text, '-', ''), w.id, event.id, ?
    FROM event, webhooks w WHERE w.enabled AND jsonb_exists_any(w.event_types, ARRAY(SELECT jsonb_array_elements_text(?::jsonb)))`;

export function createEventOutbox(db: Db) {
  return {
    /** Events of these types per UTC day since `from`. */
    async countPerDay(types: string[], from: Date): Promise<{ day: string; type: string; count: number }[]> {
      const rows = await db('events').whereIn('type', types).where('created_at', '>=', from)
        .select(db.raw("to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD')\ AS day"), 'type').count<{ day: string; type: string; n: string | number }[]>({ n: '*' }).groupByRaw('1, type').orderByRaw('1, type');
      return rows.map((r) => ({ day: r.day, type: r.type, count: Number(r.n) }));
    },
    /** Appends an event; pass the transaction that made the change, so the event and the change commit together. */
    /** A test event for one webhook only (enabled or not): the admin's "send a test event". Returns its delivery id. */
    async emitTestTo(webhookId: string, actor: string | undefined): Promise<{ eventId: string; deliveryId: string }> {
      const eventId = `evt_${randomUUID()}`;
      const deliveryId = `whd_${randomUUID().replaceAll('-', '')}`;
      await db.transaction(async (trx) => {
        await trx('events').insert({ id: eventId, type: 'webhook.test', data: JSON.stringify({ webhook_id: webhookId }), restricted: false, ...(actor ? { actor } : {}) });
        await trx('webhook_deliveries').insert({ id: deliveryId, webhook_id: webhookId, event_id: eventId, account_id: null });
      });
      return { eventId, deliveryId };
    },
    async emit(event: DomainEvent, trx: Db = db): Promise<string> {
      const id = `evt_${randomUUID()}`;
      // The event and one delivery per subscribed webhook in one statement: committed together, or not at all.
      await trx.raw(EMIT_SQL, [
        id, event.type, event.accountId ?? null, event.clientId ?? null, JSON.stringify(event.data ?? {}), event.restricted ?? false,
        event.actor ? event.actor.slice(0, 300) : null, event.accountId ?? null, JSON.stringify(patternsMatching(event.type)),
      ]);
      return id;
    },
    async listEventsOfAccount(accountId: string, limit = 200, trx: Db = db): Promise<StoredEvent[]> {
      const rows = await trx('events').where({ account_id: accountId }).orderBy('created_at', 'desc').limit(limit) as EventRow[];
      return rows.map(toEvent);
    },
  };
}

export type EventOutbox = ReturnType<typeof createEventOutbox>;
