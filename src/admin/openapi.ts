// Owns the admin API's OpenAPI 3.1 document: request bodies generated from the same zod schemas the API
// validates with, so the document cannot drift from what is accepted.
import { z } from 'zod';
import { webhookChangeSchema, webhookInputSchema } from '../events/webhooks/store.ts';
import { ADMIN_SCOPE, adminResourceOf } from '../oidc/api-tokens.ts';

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

const error = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const errors = {
  400: { description: 'Invalid input; the message names the field', ...json(error) },
  401: { description: 'No valid admin access token', ...json(error) },
  403: { description: 'The client is not allowed the admin scope', ...json(error) },
};
const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];

export function buildOpenApiDocument(issuer: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Foyer admin API', version: '1',
      description: `Manage the downstream systems (webhooks) that receive Foyer's events. Authenticate with a client-credentials access token requested with resource=${adminResourceOf(issuer)} and scope=${ADMIN_SCOPE}, from a client registered with that scope.`,
    },
    servers: [{ url: adminResourceOf(issuer) }],
    components: {
      securitySchemes: {
        adminToken: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { [ADMIN_SCOPE]: 'Administer Foyer' } } } },
      },
      schemas: {
        Webhook: webhook,
        WebhookWithSecret: { allOf: [{ $ref: '#/components/schemas/Webhook' }, { type: 'object', properties: { secret: { type: 'string', description: 'The Standard Webhooks signing secret, shown only here' } } }] },
        WebhookInput: z.toJSONSchema(webhookInputSchema, { io: 'input', unrepresentable: 'any' }),
        WebhookChange: z.toJSONSchema(webhookChangeSchema, { io: 'input', unrepresentable: 'any' }),
        Delivery: delivery,
        Error: error,
      },
    },
    security: [{ adminToken: [ADMIN_SCOPE] }],
    paths: {
      '/webhooks': {
        get: { summary: 'List webhooks', responses: { 200: { description: 'The webhooks', ...json({ type: 'object', properties: { webhooks: { type: 'array', items: { $ref: '#/components/schemas/Webhook' } } } }) }, ...errors } },
        post: {
          summary: 'Register a downstream system; the answer carries its signing secret, shown once',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/WebhookInput' }) },
          responses: { 201: { description: 'Registered', ...json({ $ref: '#/components/schemas/WebhookWithSecret' }) }, ...errors },
        },
      },
      '/webhooks/{id}': {
        parameters: idParam,
        get: { summary: 'A webhook and its recent deliveries', responses: { 200: { description: 'The webhook', ...json({ allOf: [{ $ref: '#/components/schemas/Webhook' }, { type: 'object', properties: { deliveries: { type: 'array', items: { $ref: '#/components/schemas/Delivery' } } } }] }) }, 404: { description: 'No such webhook', ...json(error) }, ...errors } },
        patch: { summary: 'Change a webhook (only what is sent changes)', requestBody: { required: true, ...json({ $ref: '#/components/schemas/WebhookChange' }) }, responses: { 200: { description: 'Changed', ...json({ $ref: '#/components/schemas/Webhook' }) }, 404: { description: 'No such webhook', ...json(error) }, ...errors } },
        delete: { summary: 'Remove a webhook and its delivery log', responses: { 204: { description: 'Removed' }, 404: { description: 'No such webhook', ...json(error) }, ...errors } },
      },
      '/webhooks/{id}/rotate-secret': {
        parameters: idParam,
        post: { summary: 'A new signing secret; the old one stops signing at once', responses: { 200: { description: 'The new secret', ...json({ type: 'object', properties: { secret: { type: 'string' } } }) }, 404: { description: 'No such webhook', ...json(error) }, ...errors } },
      },
      '/webhooks/{id}/deliveries/{deliveryId}/redeliver': {
        parameters: [...idParam, { name: 'deliveryId', in: 'path', required: true, schema: { type: 'string' } }],
        post: { summary: 'Queue a failed or pending delivery again, due now', responses: { 202: { description: 'Queued' }, 404: { description: 'No such delivery', ...json(error) }, ...errors } },
      },
    },
  };
}
