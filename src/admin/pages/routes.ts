// Owns the admin pages (/admin) for people: an overview, the clients, the downstream systems (webhooks:
// register, enable or disable, remove, see deliveries and redeliver), the profile schema, purposes and
// documents, and the administrators. Every form is CSRF-checked; every change is an admin.changed event.
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { AdminRole } from '../../accounts/admins.ts';
import { isAppError } from '../../errors/app-error.ts';
import { deliveryJson, webhookJson } from '../../events/webhooks/view.ts';
import { createAdminSignInRouter, createRequireAdminSession } from './sign-in.ts';
import { pageActor, requirePageRole, roleName } from './roles.ts';
import { registerConsolePages } from './console.ts';
import type { AdminPageDeps } from './types.ts';
import { registerVaultPages } from './vault.ts';
import { registerDashboardPage } from './dashboard.ts';
import { registerPurposePages } from './purposes.ts';
import { registerDocumentPages } from './documents.ts';
import { registerConnectorPages } from './connectors.ts';
import { registerAppPages } from './apps.ts';
import { registerResourcePages } from './resources.ts';
import { registerProfileFieldPages } from './profile-fields.ts';
import { registerKeyPages } from './keys.ts';
import { registerBrandPages } from './brands.ts';
import { t } from '../../i18n/translate.ts';
import { code, link } from './markup.ts';

/** The pages' menu; each title is a message key, read in the reader's language when a page is drawn. */
const NAV = [
  { href: '/admin', title: 'admin.nav.overview' },
  { href: '/admin/dashboard', title: 'admin.nav.dashboard' },
  { href: '/admin/customers', title: 'admin.nav.customers' },
  { href: '/admin/audit', title: 'admin.nav.audit' },
  { href: '/admin/clients', title: 'admin.nav.apps' },
  { href: '/admin/resources', title: 'admin.nav.resources' },
  { href: '/admin/webhooks', title: 'admin.nav.webhooks' },
  { href: '/admin/profile-fields', title: 'admin.nav.profile_fields' },
  { href: '/admin/keys', title: 'admin.nav.keys' },
  { href: '/admin/consent', title: 'admin.nav.consent' },
  { href: '/admin/purposes', title: 'admin.nav.purposes' },
  { href: '/admin/documents', title: 'admin.nav.documents' },
  { href: '/admin/connectors', title: 'admin.nav.connectors' },
  { href: '/admin/vault', title: 'admin.nav.vault' },
  { href: '/admin/brands', title: 'admin.nav.brands' },
  { href: '/admin/admins', title: 'admin.nav.admins' },
];

const lines = (value: string | undefined) => (value ?? '').split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);

export function createAdminPages(deps: AdminPageDeps): Middleware[] {
  const { services } = deps;
  const render = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status = 200) => {
    const state = ctx.state.admin as { account: { email: string | null }; role: AdminRole } | undefined;
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = services.views.render(view, {
      ...data, wide: true, csrfToken: ctx.state.csrfToken,
      admin: { email: state?.account.email, role: state ? roleName(state.role) : undefined, nav: NAV.map((n) => ({ href: n.href, title: t(n.title), current: n.href === ctx.path || (n.href !== '/admin' && ctx.path.startsWith(n.href)) })) },
    });
  };
  const audit = async (ctx: Context, route: string, ids: Record<string, string> = {}) => {
    const { account } = ctx.state.admin as { account: { id: string } };
    await services.events.emit({ type: 'admin.changed', accountId: account.id, actor: pageActor(ctx), data: { method: 'POST', route, via: 'pages', ...ids } });
  };
  const done = (ctx: Context, path: string, notice: string) => {
    ctx.redirect(`${path}?done=${encodeURIComponent(notice)}`);
    ctx.status = 303;
  };
  const notice = (ctx: Context) => (typeof ctx.query.done === 'string' ? ctx.query.done.slice(0, 200) : undefined);

  const pages = new Router({ prefix: '/admin' });
  pages.use(createRequireAdminSession(deps));
  pages.use(requirePageRole(services.views));
  registerConsolePages(pages, { deps, render, done, notice });
  registerAppPages(pages, { deps, render, done, notice });
  registerResourcePages(pages, { deps, render, done, notice });
  registerProfileFieldPages(pages, { deps, render, done, notice });
  registerKeyPages(pages, { deps, render, done, notice });

  pages.get('/', async (ctx) => {
    const [clients, webhooks, fields, purposes] = await Promise.all([services.clients.listClients(), services.webhooks.list(), services.profile.current().fields, services.consentRegistry.listPurposes()]);
    const failing = (await Promise.all(webhooks.map(async (w) => (await services.webhooks.deliveries(w.id, 50)).filter((d) => d.status === 'failed').length))).reduce((a, b) => a + b, 0);
    render(ctx, 'admin/overview', {
      title: t('admin.overview.title'),
      counts: [
        { link: link('/admin/clients', t('admin.nav.apps')), n: clients.length },
        { link: link('/admin/webhooks', t('admin.nav.webhooks')), n: webhooks.length },
        { link: link('/admin/profile-fields', t('admin.nav.profile_fields')), n: fields.length },
        { link: link('/admin/consent', t('admin.overview.purposes')), n: purposes.length },
      ],
      failing, webhooksLink: link('/admin/webhooks', t('admin.nav.webhooks')),
      command: code('foyer'), openapiLink: link('/admin/api/openapi.json', t('admin.overview.openapi')),
      // Webhooks Foyer turned off because their deliveries kept failing: a banner until someone turns them on.
      turnedOff: webhooks.filter((w) => !w.enabled && w.disabledReason === 'failing').map((w) => ({
        id: w.id, link: link(`/admin/webhooks/${w.id}`, w.name), since: w.failingSince, at: w.disabledAt,
      })),
    });
  });

  const webhooksPage = async (ctx: Context, extra: { error?: string; form?: Record<string, string>; secret?: { id: string; value: string } } = {}, status = 200) => {
    const list = await services.webhooks.list();
    render(ctx, 'admin/webhooks', {
      title: t('admin.webhooks.title'), notice: notice(ctx), ...extra,
      ...(extra.secret ? { secretLink: link(`/admin/webhooks/${extra.secret.id}`, extra.secret.id), secretCode: code(extra.secret.value, 'webhook-secret') } : {}),
      webhooks: list.map((w) => ({ ...webhookJson(w), eventsText: w.events.join(', '), fieldsText: w.fields.join(', ') || '—' })),
      knownFields: ['email', ...services.profile.current().fields.map((f) => f.key)].join(', '),
    }, status);
  };
  pages.get('/webhooks', (ctx) => webhooksPage(ctx));
  pages.post('/webhooks', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const input = { name: form.get('name') ?? '', url: form.get('url') ?? '', events: lines(form.get('events') ?? '*'), fields: lines(form.get('fields') ?? undefined) };
    try {
      const created = await services.webhooks.add({ ...input, events: input.events.length ? input.events : ['*'] });
      await audit(ctx, '/admin/webhooks', { id: created.id });
      await webhooksPage(ctx, { secret: { id: created.id, value: created.secret } });
    } catch (error) {
      if (!isAppError(error) || !error.expose) throw error;
      await webhooksPage(ctx, { error: error.message, form: { name: input.name.slice(0, 100), url: input.url.slice(0, 2000), events: input.events.join(' '), fields: input.fields.join(' ') } }, 400);
    }
  });
  pages.get('/webhooks/:id', async (ctx) => {
    const webhook = await services.webhooks.find(String(ctx.params.id).slice(0, 100));
    if (!webhook) return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin.webhook.not_found') }, 404);
    render(ctx, 'admin/webhook', {
      title: webhook.name, notice: notice(ctx), webhook: { ...webhookJson(webhook), eventsText: webhook.events.join(', '), fieldsText: webhook.fields.join(', ') || '—' },
      deliveries: (await services.webhooks.deliveries(webhook.id, 50)).map((d) => ({ ...deliveryJson(d), retryable: d.status === 'failed' })),
    });
  });
  pages.post('/webhooks/:id/:action', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const id = String(ctx.params.id).slice(0, 100);
    const action = String(ctx.params.action);
    if (!(await services.webhooks.find(id))) return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin.webhook.not_found') }, 404);
    if (action === 'enable' || action === 'disable') {
      await services.webhooks.update(id, { enabled: action === 'enable' });
      await audit(ctx, `/admin/webhooks/:id/${action}`, { id });
      return done(ctx, `/admin/webhooks/${id}`, t(action === 'enable' ? 'admin.webhook.enabled_notice' : 'admin.webhook.disabled_notice'));
    }
    if (action === 'test') {
      try {
        await services.webhooks.sendTest(id, pageActor(ctx));
      } catch (error) {
        if (!isAppError(error) || !error.expose) throw error;
        return done(ctx, `/admin/webhooks/${id}`, error.message);
      }
      await audit(ctx, '/admin/webhooks/:id/test', { id });
      return done(ctx, `/admin/webhooks/${id}`, t('admin.webhook.test_notice'));
    }
    if (action === 'remove') {
      await services.webhooks.remove(id);
      await audit(ctx, '/admin/webhooks/:id/remove', { id });
      return done(ctx, '/admin/webhooks', t('admin.webhook.removed_notice'));
    }
    return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin.webhook.no_action') }, 404);
  });
  pages.post('/webhooks/:id/deliveries/:deliveryId/redeliver', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const id = String(ctx.params.id).slice(0, 100);
    const deliveryId = String(ctx.params.deliveryId).slice(0, 100);
    if (!(await services.webhooks.redeliver(deliveryId, id))) return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin.webhook.no_delivery') }, 404);
    await audit(ctx, '/admin/webhooks/:id/deliveries/:deliveryId/redeliver', { id, deliveryId });
    done(ctx, `/admin/webhooks/${id}`, t('admin.webhook.queued_notice'));
  });

  pages.get('/consent', async (ctx) => {
    const [purposes, documents] = await Promise.all([services.consentRegistry.listPurposes(), services.consentRegistry.listDocuments()]);
    render(ctx, 'admin/consent', {
      title: t('admin_privacy.consent.title'),
      purposesLink: link('/admin/purposes', t('admin.nav.purposes')), documentsLink: link('/admin/documents', t('admin.nav.documents')), command: code('foyer documents publish'),
      purposes: purposes.map((p) => ({ id: p.id, name: services.consentRegistry.text(p.texts).name, basis: t('admin_privacy.legal_basis', { basis: p.legalBasis }), categories: p.dataCategories.join(', ') })),
      documents: documents.map((d) => ({
        id: d.id, title: d.title, required: d.required,
        versions: d.versions.map((v) => ({ version: v.version, kind: v.material ? 'material' : 'editorial', publishedAt: v.publishedAt, url: v.url })),
      })),
    });
  });

  pages.get('/admins', async (ctx) => {
    render(ctx, 'admin/admins', {
      title: t('admin_privacy.admins.title'), command: code('foyer admins add EMAIL --role viewer|operator|owner'), removeCommand: code('foyer admins remove EMAIL'),
      admins: (await services.admins.listAdmins()).map((a) => ({ email: a.email ?? a.accountId, role: roleName(a.role), since: a.since })),
    });
  });

  registerVaultPages(pages, deps, render);
  registerDashboardPage(pages, deps, render);
  const editTools = { deps, render, done, notice, audit };
  registerPurposePages(pages, editTools);
  registerDocumentPages(pages, editTools);
  registerConnectorPages(pages, editTools);
  registerBrandPages(pages, { deps, render, done, notice });

  const signIn = createAdminSignInRouter(deps);
  return [signIn, pages].flatMap((r) => [r.routes(), r.allowedMethods()] as unknown as Middleware[]);
}
