// Owns the admin pages (/admin) for people: an overview, the clients, the downstream systems (webhooks:
// register, enable or disable, remove, see deliveries and redeliver), the profile schema, purposes and
// documents, and the administrators. Every form is CSRF-checked; every change is an admin.changed event.
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { isAppError } from '../../errors/app-error.ts';
import { deliveryJson, webhookJson } from '../../events/webhooks/view.ts';
import { LEGAL_BASIS_TEXT } from '../../http/consent-routes.ts';
import { createAdminSignInRouter, createRequireAdminSession } from './sign-in.ts';
import { pageActor, requirePageRole } from './roles.ts';
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

const NAV = [
  { href: '/admin', title: 'Overview' },
  { href: '/admin/dashboard', title: 'Dashboard' },
  { href: '/admin/customers', title: 'Customers' },
  { href: '/admin/audit', title: 'Audit log' },
  { href: '/admin/clients', title: 'Apps' },
  { href: '/admin/resources', title: 'API resources' },
  { href: '/admin/webhooks', title: 'Webhooks' },
  { href: '/admin/profile-fields', title: 'Profile fields' },
  { href: '/admin/keys', title: 'Signing keys' },
  { href: '/admin/consent', title: 'Purposes and documents' },
  { href: '/admin/purposes', title: 'Purposes and topics' },
  { href: '/admin/documents', title: 'Documents' },
  { href: '/admin/connectors', title: 'Social login' },
  { href: '/admin/vault', title: 'Consent vault' },
  { href: '/admin/brands', title: 'Brands' },
  { href: '/admin/admins', title: 'Administrators' },
];

const lines = (value: string | undefined) => (value ?? '').split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);

export function createAdminPages(deps: AdminPageDeps): Middleware[] {
  const { services } = deps;
  const render = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status = 200) => {
    const state = ctx.state.admin as { account: { email: string | null }; role: string } | undefined;
    ctx.status = status;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = services.views.render(view, {
      ...data, wide: true, csrfToken: ctx.state.csrfToken,
      admin: { email: state?.account.email, role: state?.role, nav: NAV.map((n) => ({ ...n, current: n.href === ctx.path || (n.href !== '/admin' && ctx.path.startsWith(n.href)) })) },
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
      title: 'Administration',
      counts: [
        { href: '/admin/clients', label: 'Apps', n: clients.length },
        { href: '/admin/webhooks', label: 'Webhooks', n: webhooks.length },
        { href: '/admin/profile-fields', label: 'Profile fields', n: fields.length },
        { href: '/admin/consent', label: 'Purposes', n: purposes.length },
      ],
      failing,
      // Webhooks Foyer turned off because their deliveries kept failing: a banner until someone turns them on.
      turnedOff: webhooks.filter((w) => !w.enabled && w.disabledReason === 'failing').map((w) => ({
        id: w.id, name: w.name, since: w.failingSince?.toISOString().slice(0, 16).replace('T', ' ') ?? '', at: w.disabledAt?.toISOString().slice(0, 16).replace('T', ' ') ?? '',
      })),
    });
  });

  const webhooksPage = async (ctx: Context, extra: { error?: string; form?: Record<string, string>; secret?: { id: string; value: string } } = {}, status = 200) => {
    const list = await services.webhooks.list();
    render(ctx, 'admin/webhooks', {
      title: 'Webhooks', notice: notice(ctx), ...extra,
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
    if (!webhook) return render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such webhook.' }, 404);
    render(ctx, 'admin/webhook', {
      title: webhook.name, notice: notice(ctx), webhook: { ...webhookJson(webhook), eventsText: webhook.events.join(', '), fieldsText: webhook.fields.join(', ') || '—' },
      deliveries: (await services.webhooks.deliveries(webhook.id, 50)).map((d) => ({ ...deliveryJson(d), retryable: d.status === 'failed' })),
    });
  });
  pages.post('/webhooks/:id/:action', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const id = String(ctx.params.id).slice(0, 100);
    const action = String(ctx.params.action);
    if (!(await services.webhooks.find(id))) return render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such webhook.' }, 404);
    if (action === 'enable' || action === 'disable') {
      await services.webhooks.update(id, { enabled: action === 'enable' });
      await audit(ctx, `/admin/webhooks/:id/${action}`, { id });
      return done(ctx, `/admin/webhooks/${id}`, action === 'enable' ? 'Enabled.' : 'Disabled: it gets no new events.');
    }
    if (action === 'test') {
      try {
        await services.webhooks.sendTest(id, pageActor(ctx));
      } catch (error) {
        if (!isAppError(error) || !error.expose) throw error;
        return done(ctx, `/admin/webhooks/${id}`, error.message);
      }
      await audit(ctx, '/admin/webhooks/:id/test', { id });
      return done(ctx, `/admin/webhooks/${id}`, 'A webhook.test event is on its way: see the deliveries below.');
    }
    if (action === 'remove') {
      await services.webhooks.remove(id);
      await audit(ctx, '/admin/webhooks/:id/remove', { id });
      return done(ctx, '/admin/webhooks', 'Removed, with its delivery log.');
    }
    return render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such action.' }, 404);
  });
  pages.post('/webhooks/:id/deliveries/:deliveryId/redeliver', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const id = String(ctx.params.id).slice(0, 100);
    const deliveryId = String(ctx.params.deliveryId).slice(0, 100);
    if (!(await services.webhooks.redeliver(deliveryId, id))) return render(ctx, 'errors/error', { title: 'Not found', message: 'There is no failed or pending delivery with that id.' }, 404);
    await audit(ctx, '/admin/webhooks/:id/deliveries/:deliveryId/redeliver', { id, deliveryId });
    done(ctx, `/admin/webhooks/${id}`, 'Queued again.');
  });

  pages.get('/consent', async (ctx) => {
    const [purposes, documents] = await Promise.all([services.consentRegistry.listPurposes(), services.consentRegistry.listDocuments()]);
    render(ctx, 'admin/consent', {
      title: 'Purposes and documents',
      purposes: purposes.map((p) => ({ id: p.id, name: services.consentRegistry.text(p.texts).name, basis: LEGAL_BASIS_TEXT[p.legalBasis].name, categories: p.dataCategories.join(', ') })),
      documents: documents.map((d) => ({
        id: d.id, title: d.title, required: d.required,
        versions: d.versions.map((v) => ({ version: v.version, kind: v.material ? 'material' : 'editorial', publishedAt: v.publishedAt.toISOString().slice(0, 16).replace('T', ' '), url: v.url })),
      })),
    });
  });

  pages.get('/admins', async (ctx) => {
    render(ctx, 'admin/admins', { title: 'Administrators', admins: (await services.admins.listAdmins()).map((a) => ({ email: a.email ?? a.accountId, role: a.role, since: a.since.toISOString().slice(0, 10) })) });
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
