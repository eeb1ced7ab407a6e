// Owns /account/erasure/cancel/:token, the mailed way back from an erasure request: opening the link shows a
// page, and its "Keep my account" button (a CSRF-checked post, so mail scanners cannot) cancels the erasure.
import Router from '@koa/router';
import type { Context } from 'koa';
import { t } from '../i18n/translate.ts';
import { formatDay } from './sections/shared.ts';
import type { PortalDeps } from './types.ts';

export function createErasureCancelRouter(deps: PortalDeps): Router {
  const router = new Router({ prefix: '/account/erasure/cancel' });
  const { erasureNotice, privacy, views } = deps.services;
  const page = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = views.render(view, { ...data, csrfToken: ctx.state.csrfToken });
  };
  const gone = (ctx: Context) => page(ctx, 'errors/error', {
    title: t('portal.common.link_expired_title'), message: t('portal.erasure.link_gone'),
  }, 400);

  router.get('/:token', async (ctx) => {
    const accountId = await erasureNotice.accountOfLink(String(ctx.params.token));
    const status = accountId ? await privacy.erasure.erasureStatus(accountId) : undefined;
    if (status?.state !== 'pending' || !status.cancellable) return gone(ctx);
    page(ctx, 'portal/erasure-cancel', { title: t('portal.erasure.keep_page_title'), token: ctx.params.token, eraseOn: formatDay(status.eraseAfter) });
  });

  router.post('/:token', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const accountId = await erasureNotice.spendLink(String(ctx.params.token));
    const status = accountId ? await privacy.erasure.erasureStatus(accountId) : undefined;
    if (!accountId || status?.state !== 'pending' || !status.cancellable) return gone(ctx);
    await privacy.erasure.cancelErasure(accountId, { channel: 'mail' });
    page(ctx, 'portal/erasure-kept', { title: t('portal.erasure.kept_title') });
  });
  return router;
}
