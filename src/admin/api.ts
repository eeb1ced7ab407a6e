// Owns the admin API's edge (/admin/api): a client-credentials ES256 JWT for the <issuer>/admin/api resource
// with the `admin` scope (or `admin:read`, enough for GET), from a client still registered with it; JSON in
// and out, errors as problem+json (problem.ts); its OpenAPI document at /admin/api/openapi.json. Each resource is a section (sections/index.ts).
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { requireBearer, type BearerRule } from '../http/bearer.ts';
import { ADMIN_READ_SCOPE, ADMIN_SCOPE, adminResourceOf, registeredApiScopes, verifyApiToken, type ApiTokenDeps } from '../security/api-tokens.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { runWithLanguage } from '../i18n/request-language.ts';
import type { Logger } from '../log.ts';
import { problemDetails } from './problem.ts';
import { ADMIN_SECTIONS } from './sections/index.ts';
import type { AdminDeps } from './types.ts';

export const ADMIN_API_PREFIX = '/admin/api';
/** Every error under /admin/api answers as RFC 9457 problem+json (with `error` and `message` too); the app mounts this before its input checks. */
export const adminApiProblems = (log: Logger) => problemDetails(ADMIN_API_PREFIX, log);

export interface AdminApiDeps extends AdminDeps, ApiTokenDeps {}

/** The actor of a change made through the API, as the audit log names it. */
export const apiActor = (clientId: string) => `client:${clientId}`;

function requireAdminToken(deps: AdminApiDeps) {
  const resource = adminResourceOf(deps.issuer);
  const registered = registeredApiScopes(deps.services.clients);
  // Reading needs admin:read or admin; anything else admin. The challenge names admin, which does both.
  const ruleFor = (read: boolean): BearerRule<{ clientId: string }> => ({
    scope: ADMIN_SCOPE,
    verify: (token) => verifyApiToken(token, deps, resource, read ? [ADMIN_READ_SCOPE, ADMIN_SCOPE] : [ADMIN_SCOPE], registered),
    messages: {
      missing: `Send a client-credentials access token for ${resource} with the ${ADMIN_SCOPE} scope (or ${ADMIN_READ_SCOPE} to read), as "Authorization: Bearer …".`,
      invalid: `The access token is invalid or expired, or not for ${resource}.`,
      insufficientScope: (clientId) => (read
        ? `Client ${clientId ?? 'unknown'} may not use this API: its token or its registration lacks the ${ADMIN_READ_SCOPE} or ${ADMIN_SCOPE} scope.`
        : `Client ${clientId ?? 'unknown'} may not change anything through this API: its token or its registration lacks the ${ADMIN_SCOPE} scope (${ADMIN_READ_SCOPE} only reads).`),
    },
  });
  const readRule = ruleFor(true);
  const writeRule = ruleFor(false);
  return async function adminToken(ctx: Context, next: Next): Promise<void> {
    const token = await requireBearer(ctx, ctx.method === 'GET' || ctx.method === 'HEAD' ? readRule : writeRule);
    ctx.state.adminClientId = token.clientId;
    ctx.state.adminActor = apiActor(token.clientId);
    ctx.set('Cache-Control', 'no-store');
    await next();
    // The audit log records every change made through the API: who (the client), what (method and route), on which id.
    if (ctx.method !== 'GET' && ctx.status < 400) {
      const target = Object.fromEntries(Object.entries(ctx.params ?? {}).filter(([, v]) => typeof v === 'string').map(([k, v]) => [k, String(v).slice(0, 200)]));
      await deps.services.events.emit({ type: 'admin.changed', clientId: token.clientId, actor: apiActor(token.clientId), data: { method: ctx.method, route: String(ctx._matchedRoute ?? ctx.path), ...target } });
    }
  };
}

/**
 * The admin API speaks English whatever the caller's Accept-Language, as it always has: its messages (a schema's
 * included) are read by integrators' code and logs beside its stable codes. The admin pages speak the reader's.
 */
const inEnglish = (_ctx: Context, next: Next) => runWithLanguage({}, next);

export function createAdminApiRouter(deps: AdminApiDeps): Router {
  const router = new Router({ prefix: ADMIN_API_PREFIX });
  const document = buildOpenApiDocument(deps.issuer, ADMIN_SECTIONS);
  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  router.use(inEnglish);
  router.use(requireAdminToken(deps));
  for (const section of ADMIN_SECTIONS) section.routes(router, deps);
  return router;
}
