// Owns the API resources pages under /admin/resources: the APIs Foyer issues JWT access tokens for, registering
// one, changing its scopes and removing it (behind a confirmation). Checked with the admin API's schema
// (sections/resources.ts); resource ids are URIs, so they travel in the query or the form, never the path.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { AppError } from '../../errors/app-error.ts';
import { builtInResources } from '../../security/api-tokens.ts';
import { resourceInputSchema } from '../sections/resources.ts';
import { auditPageChange, checkForm, confirmed, FormRefused, refusalsOf, words, type FormError, type PageTools } from './forms.ts';

const MEMBERS = ['id', 'scopes'] as const;

export function registerResourcePages(pages: Router, tools: PageTools): void {
  const { deps, render, done, notice } = tools;
  const { services, issuer } = deps;
  const find = async (id: string | null | undefined) => (id ? (await services.resources.listResources()).find((r) => r.id === id) : undefined);
  const missing = (ctx: Context) => render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such API.' }, 404);
  const builtIn = (id: string) => builtInResources(issuer).has(id);
  const formPage = (ctx: Context, data: { editing?: string; form?: { id: string; scopes: string }; errors?: FormError[] }, status = 200) => render(ctx, 'admin/resource-form', {
    title: data.editing ? `API ${data.editing}` : 'Register an API', notice: notice(ctx), ...data,
  }, status);

  pages.get('/resources', async (ctx) => {
    const resources = await services.resources.listResources();
    render(ctx, 'admin/resources', {
      title: 'API resources', notice: notice(ctx),
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
      if (builtIn(input.id)) throw new AppError('resource.built_in', `id: ${input.id} is one of Foyer's own APIs; its scope is fixed.`, 409);
      if (editing && !(await find(editing))) throw new AppError('resource.not_found', 'id: there is no such API any more.', 404);
      await services.resources.addResource(input.id, input.scopes);
    }, 'resource', MEMBERS);
    if (refused) return formPage(ctx, { editing, form: { id: typed.id.slice(0, 2000), scopes: typed.scopes.join(' ').slice(0, 4000) }, errors: refused.errors }, refused.status);
    await deps.onProtocolChanged?.();
    await auditPageChange(deps, ctx, '/admin/resources/save', { id: typed.id });
    done(ctx, '/admin/resources', editing ? `Saved the scopes of ${typed.id}.` : `Registered ${typed.id}.`);
  });
  pages.post('/resources/remove', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const found = await find(form.get('id'));
    if (!found || builtIn(found.id)) return missing(ctx);
    if (!confirmed(tools, ctx, form, {
      title: `Remove the API ${found.id}?`, consequence: 'No new tokens are issued for it; tokens issued already stay valid until they expire.',
      action: '/admin/resources/remove', button: 'Yes, remove the API', cancel: `/admin/resources/edit?id=${encodeURIComponent(found.id)}`, hidden: { id: found.id },
    })) return;
    await services.resources.removeResource(found.id);
    await deps.onProtocolChanged?.();
    await auditPageChange(deps, ctx, '/admin/resources/remove', { id: found.id });
    done(ctx, '/admin/resources', `Removed ${found.id}.`);
  });
}
