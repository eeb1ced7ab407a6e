// Owns the webhooks an admin manages (through the CLI or the admin API): registering one checks its fields
// against the profile schema, so a typo is refused rather than silently never delivered.
import { AppError } from '../../errors/app-error.ts';
import type { WebhookDispatcher } from './dispatcher.ts';
import type { Webhook, WebhookInput, WebhookStore } from './store.ts';

export function createWebhooks(deps: { store: WebhookStore; dispatcher: WebhookDispatcher; knownFields: () => Promise<string[]> }) {
  const { store, dispatcher } = deps;
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
      return store.addWebhook(input);
    },
    async update(id: string, changes: Partial<WebhookInput>): Promise<Webhook> {
      await checkFields(changes.fields);
      return store.updateWebhook(id, changes);
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
