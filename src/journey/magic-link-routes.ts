// Owns the mailed sign-in link, /signin/link/:token (outside /interaction: it may be opened in another
// browser). In the browser that asked for the code, its "Sign in" button (a CSRF-checked post, so mail
// scanners that fetch links cannot use it) finishes the sign-in. Any other browser is only shown the code,
// to type in the waiting browser: a link someone else asked for never signs them in.
import { t } from '../i18n/translate.ts';
import { formatMoment } from '../i18n/format.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { EmailSignIn, PendingLink } from '../authn/email-code/sign-in.ts';
import type { Csrf } from '../http/csrf.ts';
import { renderPage, type JourneyPorts } from './context.ts';
import { linkGone } from './email-code-routes.ts';
import { readSignInBrowser } from './sign-in-browser-cookie.ts';

export interface MagicLinkDeps extends JourneyPorts {
  csrf: Csrf;
  emailSignIn: EmailSignIn;
}

export function createMagicLinkRouter(deps: MagicLinkDeps): Router {
  const router = new Router({ prefix: '/signin/link' });

  const describe = (link: PendingLink) => ({ email: link.email, requestedAt: formatMoment(link.requestedAt), userAgent: link.userAgent || t('journey.magic_link.unknown_device') });
  const codePage = (ctx: Context, link: PendingLink) =>
    renderPage(deps, ctx, 'journey/magic-link-code', { title: t('journey.magic_link_code.title'), ...describe(link), code: link.code });

  router.get('/:token', async (ctx) => {
    const link = await deps.emailSignIn.describeLink(String(ctx.params.token), readSignInBrowser(ctx));
    if (!link) return linkGone(deps, ctx);
    if (!link.sameBrowser) return codePage(ctx, link);
    renderPage(deps, ctx, 'journey/magic-link', { title: t('journey.common.sign_in'), token: ctx.params.token, ...describe(link) });
  });

  router.post('/:token', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const result = await deps.emailSignIn.confirmLink(String(ctx.params.token), readSignInBrowser(ctx));
    if (result.status === 'other_browser') return codePage(ctx, result.link);
    if (result.status !== 'ok') return linkGone(deps, ctx);
    // This is the browser that asked: it holds the interaction, which finishes there.
    ctx.redirect(`/interaction/${result.interactionUid}/email-code/linked`);
    ctx.status = 303;
  });

  return router;
}
