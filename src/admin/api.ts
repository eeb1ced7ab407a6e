// Owns the admin API's edge (/admin/api): a client-credentials ES256 JWT for the <issuer>/admin/api resource
// with the `admin` scope, from a client still registered with it; JSON in and out; its OpenAPI document at
// /admin/api/openapi.json. Each resource is a section (sections/index.ts).
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { requireBearer, type BearerRule } from '../http/bearer.ts';
import { ADMIN_SCOPE, adminResourceOf, registeredApiScopes, verifyApiToken, type ApiTokenDeps } from '../security/api-tokens.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { ADMIN_SECTIONS } from './sections/index.ts';
import type { AdminDeps } from './types.ts';

export const ADMIN_API_PREFIX = '/admin/api';

export interface AdminApiDeps extends AdminDeps, ApiTokenDeps {}

function requireAdminToken(deps: AdminApiDeps) {
  const resource = adminResourceOf(deps.issuer);
  const registered = registeredApiScopes(deps.services.clients);
  const rule: BearerRule<{ clientId: string }> = {
    scope: ADMIN_SCOPE,
    verify: (token) => verifyApiToken(token, deps, resource, ADMIN_SCOPE, registered),
    messages: {
      missing: `Send a client-credentials access token for ${resource} with the ${ADMIN_SCOPE} scope, as "Authorization: Bearer …".`,
      invalid: `The access token is invalid or expired, or not for ${resource}.`,
      insufficientScope: (clientId) => `Client ${clientId ?? 'unknown'} may not use this API: its token or its registration lacks the ${ADMIN_SCOPE} scope.`,
    },
  };
  return async function adminToken(ctx: Context, next: Next): Promise<void> {
    const token = await requireBearer(ctx, rule);
    ctx.state.adminClientId = token.clientId;
    ctx.set('Cache-Control', 'no-store');
    await next();
    // The audit log records every change made through the API: who (the client), what (method and route), on which id.
    if (ctx.method !== 'GET' && ctx.status < 400) {
      const target = Object.fromEntries(Object.entries(ctx.params ?? {}).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, String(v).slice(0, 200)]));
      await deps.services.events.emit({ type: 'admin.changed', clientId: token.clientId, data: { method: ctx.method, route: String(ctx._matchedRoute ?? ctx.path), ...target } });
    }
  };
}

export function createAdminApiRouter(deps: AdminApiDeps): Router {
  const router = new Router({ prefix: ADMIN_API_PREFIX });
  const document = buildOpenApiDocument(deps.issuer, ADMIN_SECTIONS);
  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  router.use(requireAdminToken(deps));
  for (const section of ADMIN_SECTIONS) section.routes(router, deps);
  return router;
}
