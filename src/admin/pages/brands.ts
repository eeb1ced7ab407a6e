// Owns the brand pages (/admin/brands): the brands and their apps; a brand's settings (colours checked for
// contrast when saved), its logo (a file upload, checked by its bytes), its template overrides (compiled
// before they are stored) and which apps belong to it. A refused change shows the page again with the reason.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { brandSettingsSchema } from '../../brands/schema.ts';
import { LOGO_MAX_BYTES } from '../../brands/logo.ts';
import { AppError, isAppError } from '../../errors/app-error.ts';
import { LANGUAGES, NATIVE_NAMES } from '../../i18n/languages.ts';
import { t } from '../../i18n/translate.ts';
import { readBytes } from '../sections/brands.ts';
import { describeIssue } from '../../i18n/zod.ts';
import { pageActor } from './roles.ts';
import type { AdminPageDeps } from './types.ts';

type Render = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status?: number) => void;
interface BrandPageTools { deps: AdminPageDeps; render: Render; done(ctx: Context, path: string, notice: string): void; notice(ctx: Context): string | undefined }

const list = (value: string | null) => (value ?? '').split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);
const optional = (value: string | null) => (value?.trim() ? value.trim() : undefined);

/** The settings a brand form describes, checked like the API's body. */
function settingsOf(form: URLSearchParams) {
  const colours = ['accent', 'text', 'background'].map((k) => optional(form.get(k)));
  const fromName = optional(form.get('from_name'));
  const fromAddress = optional(form.get('from_address'));
  const input = {
    name: form.get('name') ?? '',
    ...(colours.some(Boolean) ? { colours: { accent: colours[0] ?? '', text: colours[1] ?? '', background: colours[2] ?? '' } } : {}),
    font: optional(form.get('font')), supportUrl: optional(form.get('support_url')), privacyUrl: optional(form.get('privacy_url')),
    defaultLanguage: optional(form.get('default_language')),
    ...(fromName || fromAddress ? { mail: { fromName: fromName ?? '', fromAddress: fromAddress ?? '' } } : {}),
    documents: list(form.get('documents')), purposes: list(form.get('purposes')), topics: list(form.get('topics')),
  };
  const parsed = brandSettingsSchema.safeParse(JSON.parse(JSON.stringify(input)));
  if (!parsed.success) {
    throw new AppError('request.invalid', describeIssue(parsed.error.issues[0]!), 400);
  }
  return parsed.data;
}

/** A multipart form (the logo upload) read within a size limit; its CSRF token is checked like any form's. */
async function multipartForm(ctx: Context, deps: AdminPageDeps): Promise<FormData> {
  if (!ctx.is('multipart/form-data')) throw new AppError('request.unsupported_type', t('admin_setup.brand.upload_form'), 415);
  const body = await readBytes(ctx, LOGO_MAX_BYTES + 16 * 1024);
  const form = await new Request('http://upload.invalid/', { method: 'POST', headers: { 'content-type': ctx.get('content-type') }, body: new Uint8Array(body) }).formData()
    .catch(() => { throw new AppError('request.invalid', t('admin_setup.brand.upload_unreadable'), 400); });
  const token = form.get('_csrf');
  deps.csrf.verify(ctx, new URLSearchParams(typeof token === 'string' ? { _csrf: token } : {}));
  return form;
}

export function registerBrandPages(pages: Router, { deps, render, done, notice }: BrandPageTools): void {
  const { services } = deps;
  const { brands } = services;
  const audit = (ctx: Context, route: string, id: string) => services.events.emit({ type: 'admin.changed', actor: pageActor(ctx), data: { method: 'POST', route, via: 'pages', id } });

  const brandPage = async (ctx: Context, id: string, extra: { error?: string } = {}, status = 200) => {
    const brand = await brands.find(id);
    const snapshot = await brands.current();
    const clients = await services.clients.listClients();
    const templates = snapshot.templates.get(id) ?? new Map<string, string>();
    render(ctx, 'admin/brand', {
      title: brand.name, notice: notice(ctx), ...extra, edited: brand,
      documentsText: brand.documents.join(' '), purposesText: brand.purposes.join(' '), topicsText: brand.topics.join(' '),
      languages: LANGUAGES.map((tag) => ({ tag, name: NATIVE_NAMES[tag], selected: tag === brand.defaultLanguage })),
      apps: clients.filter((c) => (snapshot.clientBrand.get(c.client_id) ?? 'default') === id).map((c) => ({ id: c.client_id, name: c.client_name })),
      otherApps: clients.filter((c) => (snapshot.clientBrand.get(c.client_id) ?? 'default') !== id).map((c) => ({ id: c.client_id, name: c.client_name })),
      overrides: [...templates].map(([name, source]) => ({ name, source })),
      partials: services.views.partialNames(),
    }, status);
  };
  const refused = async (ctx: Context, id: string, error: unknown) => {
    if (!isAppError(error) || !error.expose) throw error;
    if (error.code === 'brand.not_found') return render(ctx, 'errors/error', { title: t('admin.not_found'), message: error.message }, 404);
    await brandPage(ctx, id, { error: error.message }, error.status);
  };
  const idOf = (ctx: Context) => String(ctx.params.id).slice(0, 60);

  pages.get('/brands', async (ctx) => {
    const snapshot = await brands.current();
    render(ctx, 'admin/brands', {
      title: t('admin.nav.brands'), notice: notice(ctx),
      brands: [...snapshot.brands.values()].map((b) => ({ ...b, apps: [...snapshot.clientBrand].filter(([, x]) => x === b.id).length })),
    });
  });
  pages.post('/brands', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const id = (form.get('id') ?? '').trim();
    try {
      await brands.save(id, settingsOf(new URLSearchParams({ name: form.get('name') ?? '' })));
    } catch (error) {
      if (!isAppError(error) || !error.expose) throw error;
      const snapshot = await brands.current();
      return render(ctx, 'admin/brands', { title: t('admin.nav.brands'), error: error.message, form: { id: id.slice(0, 40), name: (form.get('name') ?? '').slice(0, 100) }, brands: [...snapshot.brands.values()] }, error.status);
    }
    await audit(ctx, '/admin/brands', id);
    done(ctx, `/admin/brands/${id}`, t('admin_setup.brands.created_notice'));
  });
  pages.get('/brands/:id', async (ctx) => {
    try {
      await brandPage(ctx, idOf(ctx));
    } catch (error) {
      await refused(ctx, idOf(ctx), error);
    }
  });
  pages.post('/brands/:id', async (ctx) => {
    const id = idOf(ctx);
    const form = deps.csrf.verifiedForm(ctx);
    try {
      await brands.save(id, settingsOf(form));
    } catch (error) {
      return refused(ctx, id, error);
    }
    await audit(ctx, '/admin/brands/:id', id);
    done(ctx, `/admin/brands/${id}`, t('portal.profile.saved'));
  });
  pages.post('/brands/:id/logo', async (ctx) => {
    const id = idOf(ctx);
    try {
      const file = (await multipartForm(ctx, deps)).get('logo');
      if (!file || typeof file === 'string') throw new AppError('brand.logo_missing', t('admin_setup.brand.logo_missing'), 400);
      await brands.setLogo(id, new Uint8Array(await file.arrayBuffer()));
    } catch (error) {
      if (isAppError(error) && error.code === 'request.csrf') throw error;
      return refused(ctx, id, error);
    }
    await audit(ctx, '/admin/brands/:id/logo', id);
    done(ctx, `/admin/brands/${id}`, t('admin_setup.brand.logo_saved_notice'));
  });
  pages.post('/brands/:id/templates', async (ctx) => {
    const id = idOf(ctx);
    const form = deps.csrf.verifiedForm(ctx);
    try {
      if (form.get('remove')) await brands.removeTemplate(id, form.get('name') ?? '');
      else await brands.saveTemplate(id, form.get('name') ?? '', form.get('source') ?? '');
    } catch (error) {
      return refused(ctx, id, error);
    }
    await audit(ctx, '/admin/brands/:id/templates', id);
    done(ctx, `/admin/brands/${id}`, t(form.get('remove') ? 'admin_setup.brand.override_removed_notice' : 'admin_setup.brand.override_saved_notice'));
  });
  pages.post('/brands/:id/apps', async (ctx) => {
    const id = idOf(ctx);
    const form = deps.csrf.verifiedForm(ctx);
    const clientId = (form.get('client_id') ?? '').slice(0, 200);
    try {
      if (!(await services.clients.showClient(clientId))) throw new AppError('client.not_found', t('admin_setup.apps.not_found'), 400);
      await brands.assignClient(clientId, form.get('remove') ? 'default' : id);
    } catch (error) {
      return refused(ctx, id, error);
    }
    await audit(ctx, '/admin/brands/:id/apps', id);
    done(ctx, `/admin/brands/${id}`, t(form.get('remove') ? 'admin_setup.brand.app_back_notice' : 'admin_setup.brand.app_added_notice'));
  });
}
