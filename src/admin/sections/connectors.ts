// Owns /admin/api/connectors: the upstream providers of social login, in the same table the journey reads
// (the config file only seeds ids that are absent). Secrets go in sealed and never come back out.
import type { Context } from 'koa';
import { z } from 'zod';
import type { AdminConnector } from '../../authn/federation/connector-store.ts';
import { ConnectorSettingsError } from '../../authn/federation/presets.ts';
import { CONNECTOR_KIND_NAMES, connectorChangeSchema, connectorSchema, connectorSecretSchema } from '../../config/connector-schema.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { filters, listSpec, matches, pageOfList } from '../list-query.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';

/** The JSON of a connector: settings, and whether secrets are held; never a secret. */
export const connectorJson = (c: AdminConnector) => ({
  id: c.id, kind: c.kind, name: c.name, enabled: c.enabled, ...c.settings, has_client_secret: c.hasClientSecret, has_private_key: c.hasPrivateKey,
  usable: c.usable, created_at: c.createdAt.toISOString(), updated_at: c.updatedAt.toISOString(),
});

export const connectorExists = (id: string) => new AppError('connector.exists', `A connector with id ${id} exists.`, 409);
export const connectorNotFound = () => new AppError('connector.not_found', 'There is no such connector.', 404);

/** Runs a store change, turning a kind's missing setting into a 400 and no answer into `absent` (a 404). */
export async function connectorChange(change: () => Promise<AdminConnector | undefined>, absent = connectorNotFound): Promise<AdminConnector> {
  try {
    const saved = await change();
    if (!saved) throw absent();
    return saved;
  } catch (error) {
    if (error instanceof ConnectorSettingsError) throw new AppError('request.invalid', error.message.replace(/^connector [^:]+: /, ''), 400);
    throw error;
  }
}

/** GET /connectors: oldest first. */
const connectorList = listSpec({
  q: filters.text('Part of the id or button name (any case)'),
  kind: filters.oneOf(CONNECTOR_KIND_NAMES, 'Only connectors of this kind'),
  enabled: filters.flag('Only connectors offered (true) or turned off (false)'),
});

const connector = {
  type: 'object',
  properties: {
    id: { type: 'string' }, kind: { enum: [...CONNECTOR_KIND_NAMES] }, name: { type: 'string' }, enabled: { type: 'boolean' }, clientId: { type: 'string' },
    issuer: { type: 'string' }, authorizationEndpoint: { type: 'string' }, tokenEndpoint: { type: 'string' }, userinfoEndpoint: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } }, mapping: { type: 'object' }, pkce: { type: 'boolean' }, clientAuth: { enum: ['basic', 'post'] },
    responseMode: { enum: ['form_post'] }, tenant: { type: 'string' }, teamId: { type: 'string' }, keyId: { type: 'string' },
    has_client_secret: { type: 'boolean', description: 'A client secret is held (sealed; never returned)' },
    has_private_key: { type: 'boolean', description: 'An Apple private key is held (sealed; never returned)' },
    usable: { type: 'boolean', description: 'False when the row cannot be opened (sealed under another FOYER_SECRET) or its kind refuses its settings' },
    created_at: { type: 'string', format: 'date-time' }, updated_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const connectorsSection: AdminSection = {
  id: 'connectors',
  routes(router, { services: { connectorStore, connectors } }) {
    const id = (ctx: Context) => idParam(ctx, 'id', 'connector');
    // The config file's connectors are seeded at first use: make sure they are there before any answer.
    router.use('/connectors', async (_ctx, next) => {
      await connectors.ready();
      await next();
    });
    router.get('/connectors', async (ctx) => {
      const query = connectorList.read(ctx);
      const found = (await connectorStore.listAdminConnectors())
        .filter((c) => matches(query.q, c.id, c.name) && (query.kind === undefined || c.kind === query.kind) && (query.enabled === undefined || c.enabled === query.enabled));
      const page = pageOfList(found, (c) => ({ key: c.createdAt.toISOString(), id: c.id }), query);
      ctx.body = { connectors: page.items.map(connectorJson), next_cursor: page.next_cursor };
    });
    router.post('/connectors', async (ctx) => {
      const input = jsonBody(ctx, connectorSchema);
      const created = await connectorChange(() => connectorStore.createConnector(input), () => connectorExists(input.id));
      ctx.status = 201;
      ctx.set('Location', `/admin/api/connectors/${created.id}`);
      ctx.body = connectorJson(created);
    });
    router.get('/connectors/:id', async (ctx) => {
      const found = await connectorStore.findAdminConnector(id(ctx));
      if (!found) throw connectorNotFound();
      ctx.body = connectorJson(found);
    });
    router.patch('/connectors/:id', async (ctx) => {
      const changes = jsonBody(ctx, connectorChangeSchema);
      ctx.body = connectorJson(await connectorChange(() => connectorStore.updateConnector(id(ctx), changes)));
    });
    for (const action of ['enable', 'disable'] as const) {
      router.post(`/connectors/:id/${action}`, async (ctx) => {
        if (!(await connectorStore.setConnectorEnabled(id(ctx), action === 'enable'))) throw connectorNotFound();
        const found = await connectorStore.findAdminConnector(id(ctx));
        if (!found) throw connectorNotFound();
        ctx.body = connectorJson(found);
      });
    }
    router.post('/connectors/:id/rotate-secret', async (ctx) => {
      const secrets = jsonBody(ctx, connectorSecretSchema);
      ctx.body = connectorJson(await connectorChange(() => connectorStore.replaceConnectorSecrets(id(ctx), secrets)));
    });
  },
  openapi() {
    const { json, errors, notFound, pathParams } = openApi;
    const one = (description: string) => ({ description, ...json({ $ref: '#/components/schemas/Connector' }) });
    return {
      schemas: {
        Connector: connector,
        ConnectorInput: z.toJSONSchema(connectorSchema, { io: 'input', unrepresentable: 'any' }),
        ConnectorChange: z.toJSONSchema(connectorChangeSchema, { io: 'input', unrepresentable: 'any' }),
        ConnectorSecret: z.toJSONSchema(connectorSecretSchema, { io: 'input', unrepresentable: 'any' }),
      },
      paths: {
        '/connectors': {
          get: {
            summary: 'The social-login connectors, enabled or not (secrets never shown), oldest first, paged', parameters: connectorList.parameters,
            responses: { 200: { description: 'A page of connectors', ...json({ type: 'object', properties: { connectors: { type: 'array', items: { $ref: '#/components/schemas/Connector' } }, next_cursor: openApi.nextCursor } }) }, ...errors },
          },
          post: {
            summary: 'Add a connector; its client secret (or Apple key) is sealed at rest and never returned',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/ConnectorInput' }) },
            responses: { 201: one('Added'), 409: { description: 'That id is taken', ...json(openApi.error) }, ...errors },
          },
        },
        '/connectors/{id}': {
          parameters: pathParams('id'),
          get: { summary: 'One connector', responses: { 200: one('The connector'), ...notFound('connector'), ...errors } },
          patch: { summary: 'Change a connector\'s settings (only what is sent changes; secrets through rotate-secret)', requestBody: { required: true, ...json({ $ref: '#/components/schemas/ConnectorChange' }) }, responses: { 200: one('Changed'), ...notFound('connector'), ...errors } },
        },
        '/connectors/{id}/enable': { parameters: pathParams('id'), post: { summary: 'Offer the connector again', responses: { 200: one('Enabled'), ...notFound('connector'), ...errors } } },
        '/connectors/{id}/disable': { parameters: pathParams('id'), post: { summary: 'Stop offering the connector (linked customers sign in another way)', responses: { 200: one('Disabled'), ...notFound('connector'), ...errors } } },
        '/connectors/{id}/rotate-secret': {
          parameters: pathParams('id'),
          post: { summary: 'Replace the client secret or Apple private key with a new one from the upstream; the old one is forgotten', requestBody: { required: true, ...json({ $ref: '#/components/schemas/ConnectorSecret' }) }, responses: { 200: one('Replaced'), ...notFound('connector'), ...errors } },
        },
      },
    };
  },
};
