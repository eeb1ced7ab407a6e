// Owns the operational endpoints: liveness, readiness, and the dev outbox (loopback, non-production only).
import Router from '@koa/router';
import type { Db } from '../db/create-db.ts';
import type { Views } from './views.ts';

interface OperationsDeps {
  db: Db;
  views: Views;
  devOutbox?: { listDevMails(limit: number): Promise<{ id: string; recipient: string; subject: string; text_body: string; created_at: Date }[]> } | undefined;
}

export function createOperationsRouter(deps: OperationsDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
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
