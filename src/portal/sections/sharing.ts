// Owns the brand sharing section (/account/sharing, /account/api/sharing): per brand the customer came to
// after their first, the profile fields shared with it, and "Stop sharing" (a withdraw record in the ledger).
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { t } from '../../i18n/translate.ts';
import { accountToken, portalState, type PortalDeps, type PortalSection } from '../types.ts';
import { pageLocales } from './page-locales.ts';
import { formatTime, notFound, redirectDone } from './shared.ts';

const fieldSchema = z.string().min(1).max(200).optional();

async function sharesOf(deps: PortalDeps, accountId: string, locales: string[] = ['en']) {
  const { brandSharing, brands, profile } = deps.services;
  const [shares, snapshot] = [await brandSharing.list(accountId), await brands.current()];
  return shares.filter((s) => !s.home).map((s) => ({
    brand: s.brandId,
    name: snapshot.brands.get(s.brandId)?.name ?? s.brandId,
    fields: s.fields.map((key) => ({ key, label: profile.fieldViews([key], locales)[0]?.label ?? key })),
    receipt: s.receiptId,
    since: s.createdAt,
  }));
}

async function unshare(deps: PortalDeps, accountId: string, brandId: string, rawField: unknown, ip: string): Promise<boolean> {
  const field = fieldSchema.safeParse(rawField === '' ? undefined : rawField);
  if (!field.success) throw new AppError('sharing.invalid_field', 'Name a field shared with the brand.', 400);
  return deps.services.brandSharing.unshare(accountId, brandId.slice(0, 60), field.data, { channel: 'account', ip });
}

async function page(deps: PortalDeps, ctx: Context): Promise<void> {
  const shares = await sharesOf(deps, portalState(ctx).account.id, pageLocales(ctx));
  deps.render(ctx, 'portal/sharing', {
    title: t('portal.sharing.title'),
    notice: ctx.query.done === 'unshared' ? t('portal.sharing.done_unshared') : undefined,
    shares: shares.map((s) => ({ ...s, path: encodeURIComponent(s.brand), since: formatTime(s.since) })),
  });
}

export const sharingSection: PortalSection = {
  id: 'sharing',
  title: 'portal.nav.sharing',
  navOrder: 45,
  pages(router, deps) {
    router.get('/', (ctx) => page(deps, ctx));
    router.post('/:brandId/unshare', async (ctx) => {
      const form = deps.csrf.verifiedForm(ctx);
      if (!(await unshare(deps, portalState(ctx).account.id, String(ctx.params.brandId), form.get('field') ?? undefined, ctx.ip))) return notFound();
      redirectDone(ctx, '/account/sharing', 'unshared');
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      ctx.body = { brands: (await sharesOf(deps, accountToken(ctx).accountId)).map((s) => ({ ...s, fields: s.fields.map((f) => f.key), since: s.since.toISOString() })) };
    });
    router.delete('/:brandId/fields/:field', async (ctx) => {
      if (!(await unshare(deps, accountToken(ctx).accountId, String(ctx.params.brandId), String(ctx.params.field), ctx.ip))) return notFound();
      ctx.status = 204;
    });
  },
};
