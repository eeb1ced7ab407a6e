// Owns the mailed sign-in link, /signin/link/:token (outside /interaction: it may be opened in another
// browser). Opening it only shows a page; its "Sign in" button (a CSRF-checked post) uses the link, so mail
// scanners that fetch links cannot use it up.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { EmailSignIn } from '../authn/email-code/sign-in.ts';
import type { Csrf } from '../http/csrf.ts';
import { renderPage, type JourneyPorts } from './context.ts';
import { linkGone } from './email-code-routes.ts';

export interface MagicLinkDeps extends JourneyPorts {
  csrf: Csrf;
  emailSignIn: EmailSignIn;
  /** Signs this browser in to the account pages (/account) as the owner of `email`; false when it cannot. */
  signInToAccountPages?(ctx: Context, email: string): Promise<boolean>;
}

export function createMagicLinkRouter(deps: MagicLinkDeps): Router {
  const router = new Router({ prefix: '/signin/link' });

  router.get('/:token', async (ctx) => {
    const link = await deps.emailSignIn.describeLink(String(ctx.params.token));
    if (!link) return linkGone(deps, ctx);
    renderPage(deps, ctx, 'journey/magic-link', {
      title: 'Sign in', token: ctx.params.token, email: link.email, requestedAt: link.requestedAt.toUTCString(), userAgent: link.userAgent || 'unknown',
    });
  });

  router.post('/:token', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const result = await deps.emailSignIn.confirmLink(String(ctx.params.token));
    if (result.status !== 'ok') return linkGone(deps, ctx);
    // The browser that started the sign-in finishes it there; any other is told to go back to it, and is
    // signed in to the account pages itself (the link proved the address).
    const accountPages = result.email && deps.signInToAccountPages ? await deps.signInToAccountPages(ctx, result.email) : false;
    ctx.redirect(`/interaction/${result.interactionUid}/email-code/linked${accountPages ? '?account=1' : ''}`);
    ctx.status = 303;
  });

  return router;
}
