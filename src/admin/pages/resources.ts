// Owns the API resources pages under /admin/resources: the APIs Foyer issues JWT access tokens for, registering
// one, changing its scopes and removing it (behind a confirmation). Checked with the admin API's schema
// (sections/resources.ts); resource ids are URIs, so they travel in the query or the form, never the path.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../errors/app-error.ts';
import { t } from '../../i18n/translate.ts';
import { builtInResources } from '../../security/api-tokens.ts';
import { resourceInputSchema } from '../sections/resources.ts';
import { auditPageChange, checkForm, confirmed, FormRefused, refusalsOf, words, type FormError, type PageTools } from './forms.ts';
import { code } from './markup.ts';

const MEMBERS = ['id', 'scopes'] as const;

export function registerResourcePages(pages: Router, tools: PageTools): void {
  const { deps, render, done, notice } = tools;
  const { services, issuer } = deps;
  const find = async (id: string | null | undefined) => (id ? (await services.resources.listResources()).find((r) => r.id === id) : undefined);
  const missing = (ctx: Context) => render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin_setup.resources.not_found') }, 404);
  const builtIn = (id: string) => builtInResources(issuer).has(id);
  const formPage = (ctx: Context, data: { editing?: string; form?: { id: string; scopes: string }; errors?: FormError[] }, status = 200) => render(ctx, 'admin/resource-form', {
    title: data.editing ? t('admin_setup.resources.title', { id: data.editing }) : t('admin_setup.resources.register'), notice: notice(ctx), ...data,
    editingCode: data.editing ? code(data.editing, 'resource-id') : undefined,
  }, status);

  pages.get('/resources', async (ctx) => {
    const resources = await services.resources.listResources();
    render(ctx, 'admin/resources', {
      title: t('admin.nav.resources'), notice: notice(ctx),
      resources: resources.map((r) => ({ id: r.id, scopes: r.scopes.join(' '), href: `/admin/resources/edit?id=${encodeURIComponent(r.id)}`, builtIn: builtIn(r.id) })),
    });
  });
  pages.get('/resources/new', (ctx) => formPage(ctx, {}));
  pages.get('/resources/edit', async (ctx) => {
    const found = await find(typeof ctx.query.id === 'string' ? ctx.query.id : undefined);
    if (!found) return missing(ctx);
    formPage(ctx, { editing: found.id, form: { id: found.id, scopes: found.scopes.join(' ') } });
  });
  // Registering and changing are one operation, as in the API: the scopes of an existing id are replaced.
  pages.post('/resources/save', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const editing = form.get('editing') ?? undefined;
    const typed = { id: (editing ?? form.get('id') ?? '').trim(), scopes: words(form.get('scopes')) };
    const refused = await refusalsOf(async () => {
      const checked = checkForm(resourceInputSchema, typed);
      if (!checked.ok) throw new FormRefused(checked.errors);
      const input = checked.value;
      if (builtIn(input.id)) throw new AppError('resource.built_in', `id: ${t('admin_setup.resources.built_in', { id: input.id })}`, 409);
      if (editing && !(await find(editing))) throw new AppError('resource.not_found', `id: ${t('admin_setup.resources.gone')}`, 404);
      await services.resources.addResource(input.id, input.scopes);
    }, 'resource', MEMBERS);
    if (refused) return formPage(ctx, { editing, form: { id: typed.id.slice(0, 2000), scopes: typed.scopes.join(' ').slice(0, 4000) }, errors: refused.errors }, refused.status);
    await deps.onProtocolChanged?.();
    await auditPageChange(deps, ctx, '/admin/resources/save', { id: typed.id });
    done(ctx, '/admin/resources', t(editing ? 'admin_setup.resources.saved_notice' : 'admin_setup.resources.registered_notice', { id: typed.id }));
  });
  pages.post('/resources/remove', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const found = await find(form.get('id'));
    if (!found || builtIn(found.id)) return missing(ctx);
    if (!confirmed(tools, ctx, form, {
      title: t('admin_setup.resources.remove_title', { id: found.id }), consequence: t('admin_setup.resources.remove_consequence'),
      action: '/admin/resources/remove', button: t('admin_setup.resources.remove_confirm'), cancel: `/admin/resources/edit?id=${encodeURIComponent(found.id)}`, hidden: { id: found.id },
    })) return;
    await services.resources.removeResource(found.id);
    await deps.onProtocolChanged?.();
    await auditPageChange(deps, ctx, '/admin/resources/remove', { id: found.id });
    done(ctx, '/admin/resources', t('admin_setup.removed_notice', { id: found.id }));
  });
}
