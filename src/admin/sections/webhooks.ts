// Owns /admin/api/webhooks: the downstream systems that receive Foyer's events, their signing secrets and
// delivery logs (the same operations as `foyer webhooks …`).
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { webhookChangeSchema, webhookInputSchema } from '../../events/webhooks/store.ts';
import { deliveryJson, webhookJson } from '../../events/webhooks/view.ts';
import { jsonBody } from '../../http/json-body.ts';
import { filters, listSpec, matches, pageOfList } from '../list-query.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';

/** GET /webhooks: oldest first. */
const webhookList = listSpec({
  q: filters.text('Part of the name or URL (any case)'),
  enabled: filters.flag('Only webhooks that are on (true), or only those turned off (false)'),
  event: filters.text('Only webhooks subscribed with exactly this event pattern, e.g. profile.*'),
});

const webhook = {
  type: 'object',
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, description: { type: ['string', 'null'] }, url: { type: 'string', format: 'uri' },
    events: { type: 'array', items: { type: 'string' } }, fields: { type: 'array', items: { type: 'string' } }, enabled: { type: 'boolean' },
    created_at: { type: 'string', format: 'date-time' }, updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

const delivery = {
  type: 'object',
  properties: {
    id: { type: 'string' }, event_id: { type: 'string' }, event_type: { type: 'string' }, status: { enum: ['pending', 'delivered', 'failed'] },
    attempts: { type: 'integer' }, last_status: { type: ['integer', 'null'] }, last_error: { type: ['string', 'null'] },
    next_attempt_at: { type: ['string', 'null'], format: 'date-time' }, delivered_at: { type: ['string', 'null'], format: 'date-time' }, created_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const webhooksSection: AdminSection = {
  id: 'webhooks',
  routes(router, { services: { webhooks } }) {
    const notFound = () => new AppError('webhook.not_found', 'There is no such webhook.', 404);
    router.get('/webhooks', async (ctx) => {
      const query = webhookList.read(ctx);
      const found = (await webhooks.list()).filter((w) => matches(query.q, w.name, w.url) && (query.enabled === undefined || w.enabled === query.enabled)
        && (query.event === undefined || w.events.includes(query.event)));
      const page = pageOfList(found, (w) => ({ key: w.createdAt.toISOString(), id: w.id }), query);
      ctx.body = { webhooks: page.items.map((w) => webhookJson(w)), next_cursor: page.next_cursor };
    });
    router.post('/webhooks', async (ctx) => {
      const created = await webhooks.add(jsonBody(ctx, webhookInputSchema));
      ctx.status = 201;
      ctx.set('Location', `/admin/api/webhooks/${created.id}`);
      ctx.body = webhookJson(created, created.secret);
    });
    router.get('/webhooks/:id', async (ctx) => {
      const found = await webhooks.find(idParam(ctx, 'id', 'webhook'));
      if (!found) throw notFound();
      ctx.body = { ...webhookJson(found), deliveries: (await webhooks.deliveries(found.id, 50)).map(deliveryJson) };
    });
    router.patch('/webhooks/:id', async (ctx) => {
      const changes = jsonBody(ctx, webhookChangeSchema.refine((c) => Object.keys(c).length > 0, 'schema.change.empty'));
      ctx.body = webhookJson(await webhooks.update(idParam(ctx, 'id', 'webhook'), changes));
    });
    router.delete('/webhooks/:id', async (ctx) => {
      if (!(await webhooks.remove(idParam(ctx, 'id', 'webhook')))) throw notFound();
      ctx.status = 204;
    });
    router.post('/webhooks/:id/test', async (ctx) => {
      const queued = await webhooks.sendTest(idParam(ctx, 'id', 'webhook'), typeof ctx.state.adminActor === 'string' ? ctx.state.adminActor : undefined);
      ctx.status = 202;
      ctx.body = { event_id: queued.eventId, delivery_id: queued.deliveryId };
    });
    router.post('/webhooks/:id/rotate-secret', async (ctx) => {
      ctx.body = { secret: await webhooks.rotateSecret(idParam(ctx, 'id', 'webhook')) };
    });
    router.post('/webhooks/:id/deliveries/:deliveryId/redeliver', async (ctx) => {
      const deliveryId = idParam(ctx, 'deliveryId', 'delivery');
      if (!(await webhooks.redeliver(deliveryId, idParam(ctx, 'id', 'webhook')))) {
        throw new AppError('webhook.delivery_not_found', 'There is no pending or failed delivery with that id for this webhook.', 404);
      }
      ctx.status = 202;
      ctx.body = { redelivering: deliveryId };
    });
  },
  openapi() {
    const { json, errors, notFound, pathParams } = openApi;
    return {
      schemas: {
        Webhook: webhook,
        WebhookWithSecret: { allOf: [{ $ref: '#/components/schemas/Webhook' }, { type: 'object', properties: { secret: { type: 'string', description: 'The Standard Webhooks signing secret, shown only here' } } }] },
        WebhookInput: z.toJSONSchema(webhookInputSchema, { io: 'input', unrepresentable: 'any' }),
        WebhookChange: z.toJSONSchema(webhookChangeSchema, { io: 'input', unrepresentable: 'any' }),
        Delivery: delivery,
      },
      paths: {
        '/webhooks': {
          get: { summary: 'List webhooks, oldest first, paged', parameters: webhookList.parameters, responses: { 200: { description: 'A page of webhooks', ...json({ type: 'object', properties: { webhooks: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors } },
          post: {
            summary: 'Register a downstream system; the answer carries its signing secret, shown once',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/WebhookInput' }) },
            responses: { 201: { description: 'Registered', ...json({ $ref: '#/components/schemas/WebhookWithSecret' }) }, ...errors },
          },
        },
        '/webhooks/{id}': {
          parameters: pathParams('id'),
          get: { summary: 'A webhook and its recent deliveries', responses: { 200: { description: 'The webhook', ...json({ allOf: [{ $ref: '#/components/schemas/Webhook' }, { type: 'object', properties: { deliveries: { type: 'array', items: { $ref: '#/components/schemas/Delivery' } } } }] }) }, ...notFound('webhook'), ...errors } },
          patch: { summary: 'Change a webhook (only what is sent changes)', requestBody: { required: true, ...json({ $ref: '#/components/schemas/WebhookChange' }) }, responses: { 200: { description: 'Changed', ...json({ $ref: '#/components/schemas/Webhook' }) }, ...notFound('webhook'), ...errors } },
          delete: { summary: 'Remove a webhook and its delivery log', responses: { 204: { description: 'Removed' }, ...notFound('webhook'), ...errors } },
        },
        '/webhooks/{id}/test': {
          post: {
            summary: 'Send a webhook.test event to this webhook alone (it must be on); answers at once, the delivery follows',
            parameters: pathParams('id'),
            responses: {
              202: { description: 'Queued', ...json({ type: 'object', properties: { event_id: { type: 'string' }, delivery_id: { type: 'string' } } }) },
              409: { description: 'The webhook is turned off', ...openApi.problemContent }, ...notFound('webhook'), ...errors,
            },
          },
        },
        '/webhooks/{id}/rotate-secret': {
          parameters: pathParams('id'),
          post: { summary: 'A new signing secret; the old one stops signing at once', responses: { 200: { description: 'The new secret', ...json({ type: 'object', properties: { secret: { type: 'string' } } }) }, ...notFound('webhook'), ...errors } },
        },
        '/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
          parameters: pathParams('id', 'deliveryId'),
          post: { summary: 'Queue a failed or pending delivery again, due now', responses: { 202: { description: 'Queued' }, ...notFound('delivery'), ...errors } },
        },
      },
    };
  },
};
