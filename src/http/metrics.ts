// Owns the HTTP side of metrics: timing every request by its route pattern, and `GET /metrics`, which is never
// public: it answers a peer on this machine connecting directly, or anyone with the metrics token; else 404.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { Metrics } from '../metrics/registry.ts';
import { constantTimeEqual, hashToken } from '../security/tokens.ts';
import { bearerTokenOf } from './bearer.ts';
import { isDirectLoopbackRequest } from './operations.ts';

/** The route a request matched: the router's pattern (or one an edge named), never the raw path. */
export function routeLabel(ctx: Context): string {
  return (ctx as { _matchedRoute?: string | RegExp })._matchedRoute?.toString() ?? (ctx.state.metricsRoute as string | undefined) ?? 'unmatched';
}

/** Times each request until its answer is sent (oidc-provider answers on the raw response, so the response's end counts). */
export function requestMetrics(metrics: Metrics) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const started = process.hrtime.bigint();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      metrics.observeRequest(ctx.method, routeLabel(ctx), ctx.res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    };
    ctx.res.once('finish', record);
    ctx.res.once('close', record);
    await next();
  };
}

export function createMetricsRouter(deps: { metrics: Metrics; token?: string | undefined }): Router {
  const expected = deps.token === undefined ? undefined : hashToken(deps.token);
  // Compared as digests, so the comparison takes the same time whatever the presented token's length.
  const tokenMatches = (ctx: Context) => {
    const presented = bearerTokenOf(ctx);
    return expected !== undefined && presented !== undefined && constantTimeEqual(hashToken(presented), expected);
  };
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    if (!isDirectLoopbackRequest(ctx) && !tokenMatches(ctx)) return; // 404, as for any address that is not there
    ctx.set('Cache-Control', 'no-store');
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.render();
  });
  return router;
}
