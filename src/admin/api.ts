// Owns the admin API's edge (/admin/api): a client-credentials ES256 JWT for the <issuer>/admin/api resource
// with the `admin` scope, from a client still registered with it; JSON in and out; its OpenAPI document at
// /admin/api/openapi.json. Today it manages webhooks (the downstream systems); the CLI does the rest.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { z } from 'zod';
import type { Webhooks } from '../events/webhooks/service.ts';
import { webhookChangeSchema, webhookInputSchema } from '../events/webhooks/store.ts';
import { deliveryJson, webhookJson } from '../events/webhooks/view.ts';
import { AppError } from '../errors/app-error.ts';
import { jsonBody } from '../http/json-body.ts';
import { ADMIN_SCOPE, adminResourceOf, verifyApiToken, type ApiTokenDeps } from '../oidc/api-tokens.ts';
import { buildOpenApiDocument } from './openapi.ts';

export const ADMIN_API_PREFIX = '/admin/api';

export interface AdminApiDeps extends ApiTokenDeps {
  webhooks: Webhooks;
  clients: { findClientMetadata(clientId: string): Promise<Record<string, unknown> | undefined> };
}

const ID = /^[\w-]{1,100}$/;

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
    const metadata = await deps.clients.findClientMetadata(token.clientId);
    if (!((metadata?.foyer_api_scopes as string[] | undefined) ?? []).includes(ADMIN_SCOPE)) {
      ctx.set('WWW-Authenticate', `Bearer error="insufficient_scope", scope="${ADMIN_SCOPE}"`);
      throw new AppError('insufficient_scope', `Client ${token.clientId} is no longer allowed the ${ADMIN_SCOPE} scope.`, 403);
    }
    ctx.state.adminClientId = token.clientId;
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}

function webhookIdOf(ctx: Context): string {
  const id = String(ctx.params.id);
  if (!ID.test(id)) throw new AppError('webhook.not_found', 'There is no such webhook.', 404);
  return id;
}

export function createAdminApiRouter(deps: AdminApiDeps): Router {
  const router = new Router({ prefix: ADMIN_API_PREFIX });
  const { webhooks } = deps;

  router.get('/openapi.json', (ctx) => {
    ctx.body = buildOpenApiDocument(deps.issuer);
  });

  router.use(requireAdminToken(deps));

  router.get('/webhooks', async (ctx) => {
    ctx.body = { webhooks: (await webhooks.list()).map((w) => webhookJson(w)) };
  });
  router.post('/webhooks', async (ctx) => {
    const created = await webhooks.add(jsonBody(ctx, webhookInputSchema));
    ctx.status = 201;
    ctx.set('Location', `${ADMIN_API_PREFIX}/webhooks/${created.id}`);
    ctx.body = webhookJson(created, created.secret);
  });
  router.get('/webhooks/:id', async (ctx) => {
    const webhook = await webhooks.find(webhookIdOf(ctx));
    if (!webhook) throw new AppError('webhook.not_found', 'There is no such webhook.', 404);
    ctx.body = { ...webhookJson(webhook), deliveries: (await webhooks.deliveries(webhook.id, 50)).map(deliveryJson) };
  });
  router.patch('/webhooks/:id', async (ctx) => {
    const changes = jsonBody(ctx, webhookChangeSchema.refine((c) => Object.keys(c).length > 0, 'Send at least one field to change.'));
    ctx.body = webhookJson(await webhooks.update(webhookIdOf(ctx), changes));
  });
  router.delete('/webhooks/:id', async (ctx) => {
    if (!(await webhooks.remove(webhookIdOf(ctx)))) throw new AppError('webhook.not_found', 'There is no such webhook.', 404);
    ctx.status = 204;
  });
  router.post('/webhooks/:id/rotate-secret', async (ctx) => {
    ctx.body = { secret: await webhooks.rotateSecret(webhookIdOf(ctx)) };
  });
  router.post('/webhooks/:id/deliveries/:deliveryId/redeliver', async (ctx) => {
    const webhookId = webhookIdOf(ctx);
    const deliveryId = z.string().regex(ID).safeParse(ctx.params.deliveryId);
    if (!deliveryId.success || !(await webhooks.redeliver(deliveryId.data, webhookId))) {
      throw new AppError('webhook.delivery_not_found', 'There is no pending or failed delivery with that id for this webhook.', 404);
    }
    ctx.status = 202;
    ctx.body = { redelivering: deliveryId.data };
  });
  return router;
}

/** After the router: a path under /admin/api that no route took is a JSON 404, never oidc-provider's page. */
export async function adminApiNotFound(ctx: Context, next: Next): Promise<void> {
  if (ctx.path === ADMIN_API_PREFIX || ctx.path.startsWith(`${ADMIN_API_PREFIX}/`)) {
    throw new AppError('admin.not_found', 'There is no such admin API endpoint; see /admin/api/openapi.json.', 404);
  }
  await next();
}
