// Owns the way into /account without the OIDC journey: "Email me a sign-in link" (a single-use link;
// the form answers the same for every address). It gives a portal session with amr ['otp'] and no OIDC session.
import Router from '@koa/router';
import type { Context } from 'koa';
import { emailSchema } from '../accounts/email-address.ts';
import { AppError } from '../errors/app-error.ts';
import { t } from '../i18n/translate.ts';
import { startPortalSessionHere } from './session.ts';
import type { PortalDeps } from './types.ts';

export function createLinkSignInRouter(deps: PortalDeps): Router {
  const router = new Router({ prefix: '/account' });
  const views = deps.services.views;
  const page = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status = 200) => {
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = views.render(view, { ...data, csrfToken: ctx.state.csrfToken });
  };
  const signIn = async (ctx: Context, accountId: string, done: string) => {
    await startPortalSessionHere(deps, ctx, { accountId, authTime: new Date(), amr: ['otp'], standalone: true });
    ctx.redirect(`/account/overview?done=${done}`);
    ctx.status = 303;
  };

  router.post('/link', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const email = emailSchema.safeParse(fields.get('email') ?? '');
    if (!email.success) return page(ctx, 'portal/welcome', { title: t('portal.welcome.title'), email: (fields.get('email') ?? '').slice(0, 254), error: t('portal.common.email_invalid') }, 400);
    const result = await deps.services.portalLinks.requestLink({ email: email.data, address: ctx.ip });
    if (result.status === 'throttled') return page(ctx, 'portal/welcome', { title: t('portal.welcome.title'), email: email.data, error: t('portal.common.too_many_attempts', { minutes: Math.ceil(result.retryAfterSeconds / 60) }) }, 429);
    ctx.redirect('/account?sent=1');
    ctx.status = 303;
  });

  // Opening the link only shows a page; its button (a CSRF-checked post) uses it, so mail scanners cannot.
  router.get('/link/:token', async (ctx) => {
    if (!(await deps.services.portalLinks.isLive(String(ctx.params.token)))) return linkGone(ctx);
    page(ctx, 'portal/link', { title: t('portal.welcome.title'), token: ctx.params.token });
  });

  router.post('/link/:token', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const result = await deps.services.portalLinks.useLink(String(ctx.params.token));
    if (result.status === 'mfa_required') throw new AppError('portal.link_needs_mfa', t('portal.link.needs_mfa'), 400);
    if (result.status !== 'ok') return linkGone(ctx);
    await signIn(ctx, result.accountId, 'link');
  });

  function linkGone(ctx: Context) {
    page(ctx, 'errors/error', { title: t('portal.common.link_expired_title'), message: t('portal.link.expired') }, 400);
  }

  return router;
}
