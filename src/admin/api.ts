// Owns the admin API's edge (/admin/api): a client-credentials ES256 JWT for the <issuer>/admin/api resource
// with the `admin` scope, from a client still registered with it; JSON in and out; its OpenAPI document at
// /admin/api/openapi.json. Each resource is a section (sections/index.ts).
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';
import { ADMIN_SCOPE, adminResourceOf, verifyApiToken, type ApiTokenDeps } from '../oidc/api-tokens.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { ADMIN_SECTIONS } from './sections/index.ts';
import type { AdminDeps } from './types.ts';

export const ADMIN_API_PREFIX = '/admin/api';

export interface AdminApiDeps extends AdminDeps, ApiTokenDeps {}

function requireAdminToken(deps: AdminApiDeps) {
  const resource = adminResourceOf(deps.issuer);
  return async function adminToken(ctx: Context, next: Next): Promise<void> {
    const bearer = /^Bearer ([\w.-]+)$/i.exec(ctx.get('authorization'));
    const token = bearer ? await verifyApiToken(bearer[1]!, deps, resource, ADMIN_SCOPE) : undefined;
    if (!token) {
      ctx.set('WWW-Authenticate', `Bearer error="invalid_token", scope="${ADMIN_SCOPE}"`);
      throw new AppError('invalid_token', `Send a client-credentials access token for ${resource} with the ${ADMIN_SCOPE} scope, as "Authorization: Bearer …".`, 401);
    }
    // A client whose registration lost the scope keeps no access through tokens issued before.
    const metadata = await deps.services.clients.findClientMetadata(token.clientId) as Record<string, unknown> | undefined;
    if (!((metadata?.foyer_api_scopes as string[] | undefined) ?? []).includes(ADMIN_SCOPE)) {
      ctx.set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${ADMIN_SCOPE}"`);
      throw new AppError('insufficient_scope', `Client ${token.clientId} is no longer allowed the ${ADMIN_SCOPE} scope.`, 403);
    }
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
