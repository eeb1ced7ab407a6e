// Owns delivering the outbox to downstream systems: claims due deliveries (a lease with SKIP LOCKED, so
// instances share the work), builds each message outside any transaction — the event, and the profile
// fields the system subscribed to as far as the customer's choices allow — signs it, posts it, and records
// the answer; failures are retried with growing delays until the attempts run out. One customer's events
// reach a system in order: a delivery waits while an earlier one of the same account to the same webhook is
// still pending (retrying). A webhook failing for longer than `disableAfterFailingSeconds` is turned off.
import type { Db } from '../../db/create-db.ts';
import type { Logger } from '../../log.ts';
import { postJson, type OutboundResult } from './outbound.ts';
import { signWebhook } from './signature.ts';
import type { WebhookStore } from './store.ts';

export interface DispatcherSettings {
  allowPrivate: boolean;
  timeoutMs: number;
  maxAttempts: number;
  /** Delay before the first retry; each later one waits six times longer, at most ten hours. */
  retryBaseSeconds: number;
  batchSize: number;
  /** A webhook whose deliveries keep failing this long (no success in between) is turned off. */
  disableAfterFailingSeconds: number;
}

export interface FieldRelease {
  /** The subscribed fields the account's choices allow now, with their values, and those withheld. */
  release(accountId: string, fields: readonly string[]): Promise<{ values: Record<string, unknown>; withheld: string[] }>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** Events that say an account is gone carry its subject id only. */
const SUBJECT_ONLY = new Set(['account.erased']);
const MAX_DELAY_MS = 10 * 3600_000;
const LEASE_SECONDS = 120;

export function retryDelayMs(attemptsMade: number, baseSeconds: number): number {
  return Math.min(MAX_DELAY_MS, baseSeconds * 1000 * 6 ** Math.max(0, attemptsMade - 1));
}

interface ClaimedRow {
  id: string;
  attempts: number;
  webhook_id: string;
  url: string;
  fields: string[];
  event_id: string;
  type: string;
  account_id: string | null;
  client_id: string | null;
  data: Record<string, unknown>;
  restricted: boolean;
  event_at: Date;
}

/** The message body: Standard Webhooks' type/timestamp/data envelope. */
async function messageOf(row: ClaimedRow, fields: FieldRelease): Promise<string> {
  const data: Record<string, unknown> = { event_id: row.event_id, sub: row.account_id, client_id: row.client_id, restricted: row.restricted };
  if (!SUBJECT_ONLY.has(row.type)) {
    data.details = row.data;
    if (row.account_id && row.fields.length) {
      const { values, withheld } = await fields.release(row.account_id, row.fields);
      Object.assign(data, { profile: values, withheld });
    }
  }
  return JSON.stringify({ type: row.type, timestamp: new Date(row.event_at).toISOString(), data });
}

export function createWebhookDispatcher(deps: {
  db: Db; store: WebhookStore; fields: FieldRelease; settings: DispatcherSettings; log: Logger;
  /** Told of each attempt's outcome (metrics). */
  onOutcome?: (outcome: 'delivered' | 'retry' | 'failed') => void;
  /** Told when a webhook was turned off for failing too long (the audit log). */
  onDisabled?: (webhook: { id: string; name: string; failingSince: Date }) => Promise<void>;
}) {
  const { db, store, settings, log } = deps;

  async function claim(): Promise<ClaimedRow[]> {
    const result = await db.raw<{ rows: ClaimedRow[] }>(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id AND w.enabled
          WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.locked_until IS NULL OR d.locked_until < now())
            -- In order per customer: not while an earlier delivery of the same account to this webhook is pending.
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
                             WHERE p.webhook_id = d.webhook_id AND p.account_id = d.account_id AND p.status = 'pending'
                               AND (p.created_at < d.created_at OR (p.created_at = d.created_at AND p.id < d.id)))
          ORDER BY d.next_attempt_at LIMIT ? FOR UPDATE OF d SKIP LOCKED),
       leased AS (
         UPDATE webhook_deliveries d SET locked_until = now() + make_interval(secs => ?) FROM due WHERE d.id = due.id
         RETURNING d.id, d.attempts, d.webhook_id, d.event_id)
       SELECT l.id, l.attempts, l.webhook_id, w.url, w.fields, l.event_id, e.type, e.account_id, e.client_id, e.data, e.restricted, e.created_at AS event_at
         FROM leased l JOIN webhooks w ON w.id = l.webhook_id JOIN events e ON e.id = l.event_id`,
      [settings.batchSize, LEASE_SECONDS],
    );
    return result.rows;
  }

  async function record(row: ClaimedRow, outcome: OutboundResult): Promise<void> {
    const attempts = row.attempts + 1;
    const base = { attempts, locked_until: null, last_status: outcome.status ?? null, updated_at: db.fn.now() };
    if (outcome.ok) {
      await db('webhook_deliveries').where({ id: row.id }).update({ ...base, status: 'delivered', last_error: null, delivered_at: db.fn.now() });
      await db('webhooks').where({ id: row.webhook_id }).whereNotNull('failing_since').update({ failing_since: null });
      deps.onOutcome?.('delivered');
      return;
    }
    await noteFailure(row.webhook_id);
    const failed = attempts >= settings.maxAttempts;
    await db('webhook_deliveries').where({ id: row.id }).update({
      ...base, status: failed ? 'failed' : 'pending', last_error: outcome.error?.slice(0, 500) ?? null,
      next_attempt_at: new Date(Date.now() + retryDelayMs(attempts, settings.retryBaseSeconds)),
    });
    deps.onOutcome?.(failed ? 'failed' : 'retry');
    log.warn({ webhookId: row.webhook_id, deliveryId: row.id, eventType: row.type, attempts, status: outcome.status, error: outcome.error, gaveUp: failed }, 'webhook delivery failed');
  }

  /** A failure starts (or continues) the webhook's failing spell; past the limit the webhook is turned off, once. */
  async function noteFailure(webhookId: string): Promise<void> {
    await db('webhooks').where({ id: webhookId }).whereNull('failing_since').update({ failing_since: db.fn.now() });
    const disabled = await db.raw<{ rows: { id: string; name: string; failing_since: Date }[] }>(
      `UPDATE webhooks SET enabled = false, disabled_reason = 'failing', disabled_at = now(), updated_at = now()
        WHERE id = ? AND enabled AND failing_since <= now() - make_interval(secs => ?) RETURNING id, name, failing_since`,
      [webhookId, settings.disableAfterFailingSeconds],
    );
    const webhook = disabled.rows[0];
    if (!webhook) return;
    log.warn({ webhookId: webhook.id, failingSince: webhook.failing_since }, 'webhook turned off: its deliveries kept failing');
    await deps.onDisabled?.({ id: webhook.id, name: webhook.name, failingSince: new Date(webhook.failing_since) });
  }

  async function deliver(row: ClaimedRow): Promise<void> {
    let outcome: OutboundResult;
    try {
      const secret = await store.secretOf(row.webhook_id);
      if (!secret) return; // removed since the claim: its deliveries went with it
      const body = await messageOf(row, deps.fields);
      outcome = await postJson(row.url, body, { ...signWebhook(secret, row.event_id, body) }, { allowPrivate: settings.allowPrivate, timeoutMs: settings.timeoutMs });
    } catch (err) {
      log.error({ err, deliveryId: row.id }, 'webhook delivery could not be prepared');
      outcome = { ok: false, error: 'could not be prepared (see the server log)' };
    }
    await record(row, outcome);
  }

  let running: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;

  return {
    /** Delivers what is due now (one batch after another until none is left); returns how many were tried. */
    runOnce(): Promise<number> {
      running ??= (async () => {
        let tried = 0;
        try {
          for (;;) {
            const rows = await claim();
            await Promise.all(rows.map(deliver));
            tried += rows.length;
            if (rows.length < settings.batchSize) return tried;
          }
        } finally {
          running = undefined;
        }
      })();
      return running;
    },
    /** Polls every `intervalMs` until stopped; errors are logged, never thrown. */
    start(intervalMs: number): void {
      timer = setInterval(() => {
        this.runOnce().catch((err: unknown) => log.warn({ err }, 'webhook dispatch failed'));
      }, intervalMs);
      timer.unref();
    },
    /** Stops polling and waits for the batch in flight, at most `maxWaitMs`. */
    async stop(maxWaitMs = 8000): Promise<void> {
      clearInterval(timer);
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([running?.catch(() => undefined), new Promise<void>((resolve) => (wait = setTimeout(resolve, maxWaitMs)))]);
      clearTimeout(wait);
    },
    /** Deliveries waiting to be sent, due now or later (the outbox's depth). */
    async pendingCount(): Promise<number> {
      const row = await db('webhook_deliveries').where({ status: 'pending' }).count<{ count: string | number }[]>('* as count').first();
      return Number(row?.count ?? 0);
    },
    async listDeliveries(webhookId: string, limit = 50): Promise<Delivery[]> {
      const rows = await db('webhook_deliveries as d').join('events as e', 'e.id', 'd.event_id').where('d.webhook_id', webhookId)
        .orderBy('d.created_at', 'desc').limit(limit)
        .select('d.id', 'd.webhook_id', 'd.event_id', 'e.type', 'd.status', 'd.attempts', 'd.last_status', 'd.last_error', 'd.next_attempt_at', 'd.delivered_at', 'd.created_at') as {
          id: string; webhook_id: string; event_id: string; type: string; status: DeliveryStatus; attempts: number; last_status: number | null;
          last_error: string | null; next_attempt_at: Date; delivered_at: Date | null; created_at: Date;
        }[];
      return rows.map((r) => ({
        id: r.id, webhookId: r.webhook_id, eventId: r.event_id, eventType: r.type, status: r.status, attempts: r.attempts, lastStatus: r.last_status,
        lastError: r.last_error, nextAttemptAt: r.status === 'pending' ? new Date(r.next_attempt_at) : null,
        deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null, createdAt: new Date(r.created_at),
      }));
    },
    /** Puts a failed (or pending) delivery back in the queue, due now, with its attempts counted afresh. */
    async redeliver(deliveryId: string, webhookId?: string): Promise<boolean> {
      return (await db('webhook_deliveries').where({ id: deliveryId, ...(webhookId ? { webhook_id: webhookId } : {}) }).whereIn('status', ['failed', 'pending'])
        .update({ status: 'pending', attempts: 0, next_attempt_at: db.fn.now(), locked_until: null, updated_at: db.fn.now() })) > 0;
    },
    /** Drops finished deliveries older than `keepDays`. */
    async sweepFinished(keepDays: number, batch: number): Promise<number> {
      const ids = db('webhook_deliveries').select('id').whereIn('status', ['delivered', 'failed'])
        .where('updated_at', '<', new Date(Date.now() - keepDays * 86_400_000)).limit(batch);
      return db('webhook_deliveries').whereIn('id', ids).delete();
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
