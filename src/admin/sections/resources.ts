// Owns /admin/api/resources: the APIs (resource servers) Foyer issues ES256 JWT access tokens for, and the
// scopes each defines (the same operations as `foyer resources …`). Resource ids are URIs, so they travel
// in the body or the query, never the path.
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { builtInResources } from '../../security/api-tokens.ts';
import { httpUrlSchema, SCOPE_NAME } from '../../clients/rules.ts';
import { openApi, type AdminSection } from '../types.ts';

export const resourceInputSchema = z.object({
  id: httpUrlSchema('needs an http(s) URL').max(2000),
  scopes: z.array(z.string().regex(SCOPE_NAME, 'scope names are printable ASCII without spaces, " or \\')).min(1, 'needs one or more scope names').max(100),
}).strict();

const resource = {
  type: 'object',
  properties: { id: { type: 'string', format: 'uri' }, scopes: { type: 'array', items: { type: 'string' } }, created_at: { type: 'string', format: 'date-time' } },
} as const;

export const resourcesSection: AdminSection = {
  id: 'resources',
  routes(router, { services: { resources, log }, issuer }) {
    router.get('/resources', async (ctx) => {
      ctx.body = { resources: await resources.listResources() };
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
          get: { summary: 'List APIs (resource servers)', responses: { 200: { description: 'The APIs', ...json({ type: 'object', properties: { resources: { type: 'array', items: { $ref: '#/components/schemas/Resource' } } } }) }, ...errors } },
          post: {
            summary: 'Register an API, or replace the scopes of a registered one; tokens requested with resource=id are ES256 JWTs for it',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/ResourceInput' }) },
            responses: {
              200: { description: 'Its scopes replaced', ...json({ $ref: '#/components/schemas/Resource' }) }, 201: { description: 'Registered', ...json({ $ref: '#/components/schemas/Resource' }) },
              ...errors, 409: { description: 'One of Foyer\'s own APIs', ...json(openApi.error) },
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
