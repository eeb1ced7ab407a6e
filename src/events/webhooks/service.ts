// Owns the webhooks an admin manages (through the CLI or the admin API): registering one checks its fields
// against the profile schema, so a typo is refused rather than silently never delivered, and its URL against
// the outbound guard, so a private or loopback address is refused when registered, not only at delivery.
import { AppError } from '../../errors/app-error.ts';
import { PRIVATE_HINT, refusedUrl } from '../../security/outbound.ts';
import type { EventOutbox } from '../outbox.ts';
import type { WebhookDispatcher } from './dispatcher.ts';
import type { Webhook, WebhookInput, WebhookStore } from './store.ts';

export interface WebhooksDeps {
  store: WebhookStore;
  dispatcher: WebhookDispatcher;
  events: Pick<EventOutbox, 'emitTestTo'>;
  knownFields: () => Promise<string[]>;
  /** OUTBOUND_ALLOW_PRIVATE: loopback and private addresses are accepted (tests, intranets). */
  allowPrivate: boolean;
}

export function createWebhooks(deps: WebhooksDeps) {
  const { store, dispatcher } = deps;
  const checkUrl = async (url: string | undefined) => {
    if (url === undefined || !URL.canParse(url)) return; // the schema words a malformed URL
    const refused = await refusedUrl(new URL(url), deps.allowPrivate);
    if (refused) throw new AppError('webhook.private_url', `url: ${refused}; ${PRIVATE_HINT}.`, 400);
  };
  const checkFields = async (fields: readonly string[] | undefined) => {
    if (!fields?.length) return;
    const known = new Set(await deps.knownFields());
    const unknown = fields.filter((f) => !known.has(f));
    if (unknown.length) {
      throw new AppError('webhook.unknown_field', `No such profile field: ${unknown.join(', ')}. Known fields: ${[...known].join(', ')}.`, 400);
    }
  };
  return {
    async add(input: WebhookInput): Promise<Webhook & { secret: string }> {
      await checkFields(input.fields);
      await checkUrl(input.url);
      return store.addWebhook(input);
    },
    async update(id: string, changes: Partial<WebhookInput>): Promise<Webhook> {
      await checkFields(changes.fields);
      await checkUrl(changes.url);
      return store.updateWebhook(id, changes);
    },
    /** Queues a `webhook.test` event for this webhook alone and starts delivering it; 404 unknown, 409 while it is off. */
    async sendTest(id: string, actor?: string): Promise<{ eventId: string; deliveryId: string }> {
      const webhook = await store.findWebhook(id);
      if (!webhook) throw new AppError('webhook.not_found', `There is no webhook ${id}.`, 404);
      if (!webhook.enabled) throw new AppError('webhook.disabled', 'This webhook is turned off: turn it on first, then send a test event.', 409);
      const queued = await deps.events.emitTestTo(id, actor);
      void dispatcher.runOnce().catch(() => undefined); // delivered now; the poller would pick it up anyway
      return queued;
    },
    list: store.listWebhooks,
    find: store.findWebhook,
    remove: store.removeWebhook,
    rotateSecret: store.rotateSecret,
    deliveries: dispatcher.listDeliveries,
    redeliver: dispatcher.redeliver,
    dispatcher,
  };
}

export type Webhooks = ReturnType<typeof createWebhooks>;
