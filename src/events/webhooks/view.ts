// Owns the JSON shape of a webhook and of a delivery, as the CLI (--json) and the admin API show them.
import type { Delivery } from './dispatcher.ts';
import type { Webhook } from './store.ts';

export function webhookJson(w: Webhook, secret?: string) {
  return {
    id: w.id, name: w.name, description: w.description, url: w.url, events: w.events, fields: w.fields, enabled: w.enabled,
    failing_since: w.failingSince?.toISOString() ?? null, disabled_reason: w.disabledReason, disabled_at: w.disabledAt?.toISOString() ?? null,
    created_at: w.createdAt.toISOString(), updated_at: w.updatedAt.toISOString(), ...(secret ? { secret } : {}),
  };
}

export function deliveryJson(d: Delivery) {
  return {
    id: d.id, event_id: d.eventId, event_type: d.eventType, status: d.status, attempts: d.attempts, last_status: d.lastStatus, last_error: d.lastError,
    next_attempt_at: d.nextAttemptAt?.toISOString() ?? null, delivered_at: d.deliveredAt?.toISOString() ?? null, created_at: d.createdAt.toISOString(),
  };
}
