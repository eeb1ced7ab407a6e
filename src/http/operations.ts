// Owns the operational endpoints: liveness, readiness, and the dev outbox (loopback, non-production only).
import Router from '@koa/router';
import ipaddr from 'ipaddr.js';
import type { Context, Next } from 'koa';
import type { Db } from '../db/create-db.ts';
import type { Views } from './views.ts';

interface OperationsDeps {
  db: Db;
  views: Views;
  /** True once the instance is stopping: readiness answers 503 at once, so a load balancer takes it out. */
  draining?: () => boolean;
  devOutbox?: { listDevMails(limit: number): Promise<{ id: string; recipient: string; subject: string; text_body: string; created_at: Date }[]> } | undefined;
}

/** True for 127.0.0.0/8 and ::1 (IPv4-mapped too): a peer on this machine. */
export function isLoopbackPeer(address: string | undefined): boolean {
  return Boolean(address && ipaddr.isValid(address) && ipaddr.process(address).range() === 'loopback');
}

/**
 * The dev outbox shows every code and link: only a peer on this machine sees it, judged by the socket's address
 * (never by X-Forwarded-For), and not through a proxy (a request carrying forwarding headers came from elsewhere).
 * Anyone else gets 404, whatever address the server listens on.
 */
export async function onlyLoopbackPeers(ctx: Context, next: Next): Promise<void> {
  if (isDirectLoopbackRequest(ctx)) await next();
}

/** A peer on this machine, by the socket's address, whose request no proxy forwarded. */
export function isDirectLoopbackRequest(ctx: Context): boolean {
  const forwarded = ctx.get('x-forwarded-for') || ctx.get('forwarded');
  return isLoopbackPeer(ctx.req.socket.remoteAddress) && !forwarded;
}

export function createOperationsRouter(deps: OperationsDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (deps.draining?.()) {
      ctx.status = 503;
      ctx.body = { status: 'stopping', message: 'This instance is shutting down.' };
      return;
    }
    try {
      await Promise.race([deps.db.raw('select 1'), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
      ctx.body = { status: 'ready' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', message: 'The database does not answer.' };
    }
  });
  if (deps.devOutbox) {
    const outbox = deps.devOutbox;
    router.use('/dev', onlyLoopbackPeers);
    router.get('/dev/outbox', async (ctx) => {
      const mails = (await outbox.listDevMails(50)).map((m) => ({ ...m, created_at: new Date(m.created_at).toISOString() }));
      ctx.type = 'html';
      ctx.body = deps.views.render('dev/outbox', { title: 'Dev outbox', mails });
    });
    router.get('/dev/outbox.json', async (ctx) => {
      ctx.body = await outbox.listDevMails(50);
    });
  }
  return router;
}
