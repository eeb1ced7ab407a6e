// Owns the privacy section of /account and its Account API twin: download my data, restrict processing,
// erase my account (confirmed, fresh sign-in, then signed out). Cancelling is done by signing in again.
import { z } from 'zod';
import type { Context } from 'koa';
import { AppError } from '../../errors/app-error.ts';
import type { ErasureStatus } from '../../privacy/erasure.ts';
import { jsonBody } from '../../http/json-body.ts';
import { t } from '../../i18n/translate.ts';
import { PORTAL_COOKIE, portalCookieOptions } from '../session.ts';
import { formatDay } from './shared.ts';
import type { PortalDeps, PortalSection } from '../types.ts';
import { accountToken, portalState } from '../types.ts';

const day = (date: Date) => date.toISOString().slice(0, 10);

function erasureJson(status: ErasureStatus) {
  if (status.state === 'pending') return { state: 'pending', requested_at: status.requestedAt.toISOString(), erase_after: status.eraseAfter.toISOString(), cancellable: status.cancellable };
  if (status.state === 'erased') return { state: 'erased', erased_at: status.erasedAt.toISOString() };
  return { state: 'none' };
}

async function statusJson(deps: PortalDeps, accountId: string) {
  const { privacy } = deps.services;
  return {
    processing_restricted: await privacy.restriction.isRestricted(accountId),
    erasure: erasureJson(await privacy.erasure.erasureStatus(accountId)),
    erasure_grace_days: deps.services.config.privacy.erasureGraceDays,
  };
}

async function sendExport(deps: PortalDeps, ctx: Context, accountId: string, download: boolean) {
  const document = await deps.services.privacy.export.exportAccount(accountId);
  if (!document) throw new AppError('privacy.unknown_account', t('portal.privacy.unknown_account'), 404);
  if (download) ctx.attachment(`foyer-export-${day(new Date())}.json`);
  ctx.type = 'application/json';
  ctx.body = JSON.stringify(document, null, 2);
}


const restrictionBody = z.object({ restricted: z.boolean() }).strict();
const erasureBody = z.object({ confirm: z.literal(true, 'schema.erasure.confirm') }).strict();

export const privacySection: PortalSection = {
  id: 'privacy',
  title: 'portal.nav.privacy',
  navOrder: 70,
  pages(router, deps) {
    const page = async (ctx: Context, data: { error?: string; notice?: string } = {}, status = 200) => {
      const { account } = portalState(ctx);
      const state = await statusJson(deps, account.id);
      deps.render(ctx, 'portal/privacy', { title: t('portal.privacy.title'), restricted: state.processing_restricted, graceDays: state.erasure_grace_days, ...data }, status);
    };
    router.get('/', (ctx) => page(ctx));
    router.get('/export', deps.requireFreshAuth(), (ctx) => sendExport(deps, ctx, portalState(ctx).account.id, true));
    router.post('/restriction', async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      const restrict = fields.get('restricted') === 'yes';
      const { account } = portalState(ctx);
      const { restriction } = deps.services.privacy;
      await (restrict ? restriction.restrictProcessing(account.id, { channel: 'portal' }) : restriction.liftRestriction(account.id, { channel: 'portal' }));
      await page(ctx, { notice: t(restrict ? 'portal.privacy.done_restricted' : 'portal.privacy.done_lifted') });
    });
    router.post('/erase', deps.requireFreshAuth(), async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      if (fields.get('confirm') !== 'yes') return page(ctx, { error: t('portal.privacy.tick_box') }, 400);
      // Ends every session of the account (this portal session included) and revokes its grants.
      const status = await deps.services.privacy.erasure.requestErasure(portalState(ctx).account.id, { channel: 'portal' });
      ctx.cookies.set(PORTAL_COOKIE, null, portalCookieOptions(deps.secure));
      const eraseOn = formatDay(status.state === 'pending' ? status.eraseAfter : new Date());
      deps.render(ctx, 'portal/erasure-requested', { title: t('portal.erasure.title'), eraseOn });
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      ctx.body = await statusJson(deps, accountToken(ctx).accountId);
    });
    router.get('/export', deps.requireFreshApiAuth(), (ctx) => sendExport(deps, ctx, accountToken(ctx).accountId, false));
    router.put('/restriction', async (ctx) => {
      const { restricted } = jsonBody(ctx, restrictionBody);
      const { accountId } = accountToken(ctx);
      const { restriction } = deps.services.privacy;
      await (restricted ? restriction.restrictProcessing(accountId, { channel: 'api' }) : restriction.liftRestriction(accountId, { channel: 'api' }));
      ctx.body = await statusJson(deps, accountId);
    });
    // The token used here is revoked with every other one: cancelling takes a new sign-in (password page).
    router.post('/erasure', deps.requireFreshApiAuth(), async (ctx) => {
      jsonBody(ctx, erasureBody);
      const status = await deps.services.privacy.erasure.requestErasure(accountToken(ctx).accountId, { channel: 'api' });
      ctx.status = 202;
      ctx.body = { erasure: erasureJson(status) };
    });
  },
};
