// Owns the signing keys page under /admin/keys: each key's use, algorithm, status and when a retired one leaves
// the JWKS; rotating them behind a confirmation (the same operation as the admin API's POST /keys/rotate).
import type Router from '@koa/router';
import { t } from '../../i18n/translate.ts';
import { keyJson, rotateSigningKeys } from '../sections/keys.ts';
import { auditPageChange, confirmed, type PageTools } from './forms.ts';
import { pageActor } from './roles.ts';

export function registerKeyPages(pages: Router, tools: PageTools): void {
  const { deps, render, done, notice } = tools;
  const { services } = deps;
  pages.get('/keys', async (ctx) => {
    const keys = (await services.signingKeys.listKeys()).map(keyJson).filter((k) => k.status !== 'retired');
    render(ctx, 'admin/keys', {
      title: t('admin.nav.keys'), notice: notice(ctx), keys,
    });
  });
  pages.post('/keys/rotate', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    if (!confirmed(tools, ctx, form, {
      title: t('admin_setup.keys.rotate_title'), action: '/admin/keys/rotate', button: t('admin_setup.keys.rotate_confirm'), cancel: '/admin/keys',
      consequence: t('admin_setup.keys.rotate_consequence'),
    })) return;
    const result = await rotateSigningKeys(services, pageActor(ctx), deps.onProtocolChanged);
    await auditPageChange(deps, ctx, '/admin/keys/rotate', { created: result.created.join(' ') });
    done(ctx, '/admin/keys', t('admin_setup.keys.rotated_notice', { kids: result.created.join(', ') }));
  });
}
