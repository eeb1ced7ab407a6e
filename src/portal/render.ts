// Owns rendering a portal page inside its frame: the section navigation (current one marked), the
// signed-in email and the sign-out button, the CSRF token, and no caching.
import type { Context } from 'koa';
import type { Views } from '../http/views.ts';
import { t } from '../i18n/translate.ts';
import type { PortalSection, PortalState } from './types.ts';

export function createPortalRender(views: Views, sections: PortalSection[]) {
  const nav = [...sections].filter((s) => s.pages).sort((a, b) => a.navOrder - b.navOrder);
  return function render(ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status = 200): void {
    const state = ctx.state.portal as PortalState | undefined;
    const current = ctx.path.split('/')[2];
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = views.render(view, {
      ...data,
      wide: true,
      csrfToken: ctx.state.csrfToken,
      reauthenticated: ctx.query.reauthenticated === '1',
      portal: {
        email: state?.account.email,
        nav: nav.map((s) => ({ href: `/account/${s.id}`, title: t(s.title), current: s.id === current })),
      },
    });
  };
}
