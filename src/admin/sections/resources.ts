// Owns /admin/api/resources: the APIs (resource servers) Foyer issues ES256 JWT access tokens for, and the
// scopes each defines (the same operations as `foyer resources …`). Resource ids are URIs, so they travel
// in the body or the query, never the path.
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { builtInResources } from '../../security/api-tokens.ts';
import { httpUrlSchema, SCOPE_NAME } from '../../clients/rules.ts';
import { filters, listSpec, matches, pageOfList } from '../list-query.ts';
import { openApi, type AdminSection } from '../types.ts';

export const resourceInputSchema = z.object({
  id: httpUrlSchema('schema.http_url').max(2000),
  scopes: z.array(z.string().regex(SCOPE_NAME, 'schema.scope.name')).min(1, 'schema.scope.required').max(100),
}).strict();

/** GET /resources: oldest first. */
const resourceList = listSpec({
  q: filters.text('Part of the resource URI (any case)'),
  scope: filters.text('Only APIs defining exactly this scope'),
});

const resource = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uri' }, scopes: { type: 'array', items: { type: 'string' } }, created_at: { type: 'string', format: 'date-time' } },
} as const;

export const resourcesSection: AdminSection = {
  id: 'resources',
  routes(router, { services: { resources, log }, issuer }) {
    router.get('/resources', async (ctx) => {
      const query = resourceList.read(ctx);
      const found = (await resources.listResources()).filter((r) => matches(query.q, r.id) && (query.scope === undefined || r.scopes.includes(query.scope)));
      const page = pageOfList(found, (r) => ({ key: r.created_at, id: r.id }), query);
      ctx.body = { resources: page.items, next_cursor: page.next_cursor };
    });
    // Registers an API, or replaces the scopes of one registered before.
    router.post('/resources', async (ctx) => {
      const { id, scopes } = jsonBody(ctx, resourceInputSchema);
      if (builtInResources(issuer).has(id)) throw new AppError('resource.built_in', `${id} is one of Foyer's own APIs; its scope is fixed.`, 409);
      const existed = (await resources.listResources()).some((r) => r.id === id);
      const saved = await resources.addResource(id, scopes);
      log.info({ resource: id, scopes, by: ctx.state.adminClientId }, existed ? 'admin API: resource scopes replaced' : 'admin API: resource added');
      ctx.status = existed ? 200 : 201;
      ctx.body = saved;
    });
    router.delete('/resources', async (ctx) => {
      const id = ctx.query.id;
      if (typeof id !== 'string' || !id) throw new AppError('request.invalid', 'id: give the resource URI as ?id=…', 400);
      if (!(await resources.removeResource(id))) throw new AppError('resource.not_found', 'There is no such resource.', 404);
      log.info({ resource: id, by: ctx.state.adminClientId }, 'admin API: resource removed');
      ctx.status = 204;
    });
  },
  openapi() {
    const { json, errors, notFound } = openApi;
    return {
      schemas: { Resource: resource, ResourceInput: z.toJSONSchema(resourceInputSchema, { io: 'input', unrepresentable: 'any' }) },
      paths: {
        '/resources': {
          get: { summary: 'List APIs (resource servers), oldest first, paged', parameters: resourceList.parameters, responses: { 200: { description: 'A page of APIs', ...json({ type: 'object', properties: { resources: { type: 'array', items: { $ref: '#/components/schemas/Resource' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors } },
          post: {
            summary: 'Register an API, or replace the scopes of a registered one; tokens requested with resource=id are ES256 JWTs for it',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/ResourceInput' }) },
            responses: {
              200: { description: 'Its scopes replaced', ...json({ $ref: '#/components/schemas/Resource' }) }, 201: { description: 'Registered', ...json({ $ref: '#/components/schemas/Resource' }) },
              ...errors, 409: { description: 'One of Foyer\'s own APIs', ...openApi.problemContent },
            },
          },
          delete: {
            summary: 'Remove an API (tokens issued for it stay valid until they expire)',
            parameters: [{ name: 'id', in: 'query', required: true, schema: { type: 'string', format: 'uri' } }],
            responses: { 204: { description: 'Removed' }, ...notFound('resource'), ...errors },
          },
        },
      },
    };
  },
};
