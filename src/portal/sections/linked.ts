// Owns the linked social accounts section (/account/linked, /account/api/linked): the upstream accounts
// that sign in to this one (connector, email, when linked and last used), and unlinking one — with a
// fresh sign-in, never the last sign-in method (see src/authn/sign-in-methods.ts for the rule).
import type { Context } from 'koa';
import { AppError } from '../../errors/app-error.ts';
import { accountToken, portalState, type PortalDeps, type PortalSection } from '../types.ts';
import { t } from '../../i18n/translate.ts';
import { describeRemovalRefusal } from '../../authn/sign-in-methods.ts';
import { formatTime, notFound, redirectDone } from './shared.ts';
import { describeRefusal } from './words.ts';

async function listLinks(deps: PortalDeps, accountId: string) {
  const links = await deps.services.accountSecurity.listLinks(accountId);
  const names = new Map(deps.services.config.connectors.map((c) => [c.id, c.name]));
  return links.map((link) => ({ ...link, connectorName: names.get(link.connector) ?? link.connector }));
}

async function linkedPage(deps: PortalDeps, ctx: Context, state: { error?: string; status?: number } = {}): Promise<void> {
  const { account } = portalState(ctx);
  const links = await listLinks(deps, account.id);
  deps.render(ctx, 'portal/linked', {
    title: t('portal.linked.title'), error: state.error,
    notice: ctx.query.done === 'unlinked' ? t('portal.linked.done_unlinked') : undefined,
    links: links.map((l) => ({
      path: `${encodeURIComponent(l.connector)}/${encodeURIComponent(l.subject)}`, connectorName: l.connectorName, email: l.email ?? t('portal.linked.no_email'),
      createdAt: formatTime(l.createdAt), lastUsedAt: l.lastUsedAt ? formatTime(l.lastUsedAt) : t('portal.common.not_yet'),
    })),
  }, state.status);
}

export const linkedSection: PortalSection = {
  id: 'linked',
  title: 'portal.nav.linked',
  navOrder: 30,
  pages(router, deps) {
    router.get('/', (ctx) => linkedPage(deps, ctx));
    router.post('/:connector/:subject/unlink', deps.requireFreshAuth(), async (ctx) => {
      const result = await deps.services.accountSecurity.unlinkIdentity(portalState(ctx).account.id, String(ctx.params.connector), String(ctx.params.subject));
      if (result === 'not_found') return notFound();
      if (result !== 'ok') return linkedPage(deps, ctx, { error: describeRefusal(result), status: 409 });
      redirectDone(ctx, '/account/linked', 'unlinked');
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      const links = await listLinks(deps, accountToken(ctx).accountId);
      ctx.body = {
        links: links.map((l) => ({
          connector: l.connector, connector_name: l.connectorName, subject: l.subject, email: l.email,
          linked_at: l.createdAt.toISOString(), last_used_at: l.lastUsedAt?.toISOString() ?? null,
        })),
      };
    });
    router.delete('/:connector/:subject', deps.requireFreshApiAuth(), async (ctx) => {
      const result = await deps.services.accountSecurity.unlinkIdentity(accountToken(ctx).accountId, String(ctx.params.connector), String(ctx.params.subject));
      if (result === 'not_found') return notFound();
      if (result !== 'ok') throw new AppError(result, describeRemovalRefusal(result), 409);
      ctx.status = 204;
    });
  },
};
