// Owns the operators' customer and audit pages under /admin: finding customers (search, filters, paging),
// a customer's page with its actions, each behind a confirmation step (two CSRF-checked POSTs: the first
// shows what will happen, the second with confirm=yes does it), and the audit log with filters and paging.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { roleAllows } from '../../accounts/admins.ts';
import { isAppError } from '../../errors/app-error.ts';
import { t } from '../../i18n/translate.ts';
import { describeCustomer } from '../customer-view.ts';
import { auditFilterOf, auditQuerySchema, customerFilterOf, customerQuerySchema, listQuery } from '../list-query.ts';
import { auditEventJson } from '../sections/audit.ts';
import { CUSTOMER_ACTIONS, customerJson, isCustomerAction, type CustomerAction } from '../sections/customers.ts';
import { adminRoleOf, pageActor } from './roles.ts';
import type { AdminPageDeps } from './types.ts';

type Render = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status?: number) => void;

interface ConsoleTools {
  deps: AdminPageDeps;
  render: Render;
  done(ctx: Context, path: string, notice: string): void;
  notice(ctx: Context): string | undefined;
}

const STATUSES = ['lite', 'active', 'restricted', 'disabled', 'erased'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What each action is called on the pages, what its confirmation says, and whether it is dangerous. */
/** Each action's words as message keys: its button, what confirming it does, and the notice after it. */
const ACTION_TEXT: Record<CustomerAction, { label: string; confirm: string; done: string; danger?: boolean }> = {
  disable: { label: 'admin.customer.disable.label', confirm: 'admin.customer.disable.confirm', done: 'admin.customer.disable.done', danger: true },
  enable: { label: 'admin.customer.enable.label', confirm: 'admin.customer.enable.confirm', done: 'admin.customer.enable.done' },
  unlock: { label: 'admin.customer.unlock.label', confirm: 'admin.customer.unlock.confirm', done: 'admin.customer.unlock.done' },
  'send-password-reset': { label: 'admin.customer.send_password_reset.label', confirm: 'admin.customer.send_password_reset.confirm', done: 'admin.customer.send_password_reset.done' },
  'resend-verification': { label: 'admin.customer.resend_verification.label', confirm: 'admin.customer.resend_verification.confirm', done: 'admin.customer.resend_verification.done' },
  'reset-second-factor': { label: 'admin.customer.reset_second_factor.label', confirm: 'admin.customer.reset_second_factor.confirm', done: 'admin.customer.reset_second_factor.done', danger: true },
  'sign-out-everywhere': { label: 'admin.customer.sign_out_everywhere.label', confirm: 'admin.customer.sign_out_everywhere.confirm', done: 'admin.customer.sign_out_everywhere.done', danger: true },
  'revoke-app': { label: 'admin.customer.revoke_app.label', confirm: 'admin.customer.revoke_app.confirm', done: 'admin.customer.revoke_app.done', danger: true },
  erase: { label: 'admin.customer.erase.label', confirm: 'admin.customer.erase.confirm', done: 'admin.customer.erase.done', danger: true },
};

/** An action's words in the reader's language. */
const actionText = (action: CustomerAction) => {
  const keys = ACTION_TEXT[action];
  return { label: t(keys.label), confirm: t(keys.confirm), done: t(keys.done), danger: keys.danger };
};


/** The list's query string with another cursor (the "Next page" link keeps the filters). */
function nextLink(ctx: Context, path: string, next: string | null): string | undefined {
  if (!next) return undefined;
  const params = new URLSearchParams(Object.entries(ctx.query).flatMap(([k, v]) => (typeof v === 'string' && k !== 'cursor' && v !== '' ? [[k, v]] : [])));
  params.set('cursor', next);
  return `${path}?${params.toString()}`;
}

const formOf = (ctx: Context) => Object.fromEntries(Object.entries(ctx.query).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v.slice(0, 200)]] : [])));

export function registerConsolePages(pages: Router, tools: ConsoleTools): void {
  const { deps, render, done, notice } = tools;
  const { services } = deps;
  const missing = (ctx: Context) => render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin.customer.not_found') }, 404);

  pages.get('/customers', async (ctx) => {
    const form = formOf(ctx);
    try {
      const { filter, page } = customerFilterOf(listQuery(ctx, customerQuerySchema));
      const found = await services.customerDirectory.searchCustomers(filter, page);
      render(ctx, 'admin/customers', {
        title: t('admin.customers.title'), form, statuses: STATUSES,
        customers: found.customers.map(customerJson).map((c) => ({ ...c, created: c.created_at, lastSignIn: c.last_sign_in_at })),
        next: nextLink(ctx, '/admin/customers', found.next),
      });
    } catch (error) {
      if (!isAppError(error) || !error.expose) throw error;
      render(ctx, 'admin/customers', { title: t('admin.customers.title'), form, statuses: STATUSES, error: error.message, customers: [] }, 400);
    }
  });

  pages.get('/customers/:id', async (ctx) => {
    const id = String(ctx.params.id);
    const view = UUID.test(id) ? await describeCustomer(services, deps.clientAccess, id.toLowerCase()) : undefined;
    if (!view) return missing(ctx);
    const canAct = roleAllows(adminRoleOf(ctx), 'operator');
    const shown: CustomerAction[] = [
      view.status === 'disabled' ? 'enable' : 'disable', 'unlock', 'send-password-reset', ...(view.email_verified ? [] : ['resend-verification' as const]),
      'reset-second-factor', 'sign-out-everywhere', ...(view.erase_after ? [] : ['erase' as const]),
    ];
    render(ctx, 'admin/customer', {
      title: view.email ?? view.id, notice: notice(ctx), customer: view, canAct,
      times: { created: view.created_at, lastSignIn: view.last_sign_in_at, eraseAfter: view.erase_after },
      profile: view.profile.map((p) => ({ ...p, valueText: typeof p.value === 'string' ? p.value : JSON.stringify(p.value), updated: p.updated_at })),
      actions: shown.map((name) => ({ name, ...actionText(name) })),
      methods: { enrolled: view.sign_in_methods.authenticator_app.enrolled ? 'yes' : 'no', always: view.sign_in_methods.second_factor_always ? 'yes' : 'no' },
      events: view.recent_events.map((e) => ({ ...e, at: e.created_at })),
    });
  });

  pages.post('/customers/:id/:action', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const id = String(ctx.params.id).toLowerCase();
    const action = String(ctx.params.action);
    const account = UUID.test(id) ? await deps.customerCare.findLiveAccount(id) : undefined;
    if (!account || !isCustomerAction(action)) return missing(ctx);
    const clientId = action === 'revoke-app' ? (form.get('client_id') ?? '').slice(0, 200) : undefined;
    const text = actionText(action);
    if (form.get('confirm') !== 'yes') {
      // The first POST only shows what will happen; the confirming form posts again with confirm=yes.
      return render(ctx, 'admin/customer-confirm', { title: t('admin.customer.confirm.question', { action: text.label }), customer: { id, email: account.email }, customerName: account.email ?? id, action: { name: action, ...text }, clientId });
    }
    const outcome = await CUSTOMER_ACTIONS[action].run({ ...deps, customerCare: deps.customerCare }, id, pageActor(ctx), clientId);
    if (outcome.status === 'refused') {
      return render(ctx, 'admin/customer-confirm', { title: t('admin.customer.confirm.question', { action: text.label }), customer: { id, email: account.email }, customerName: account.email ?? id, action: { name: action, ...text }, clientId, error: outcome.message }, outcome.httpStatus);
    }
    await services.events.emit({
      type: 'admin.changed', accountId: id, actor: pageActor(ctx),
      data: { method: 'POST', route: `/admin/customers/:id/${action}`, via: 'pages', ...(clientId ? { target: clientId } : {}) },
    });
    done(ctx, `/admin/customers/${id}`, text.done);
  });

  pages.get('/audit', async (ctx) => {
    const form = formOf(ctx);
    try {
      const { filter, page } = auditFilterOf(listQuery(ctx, auditQuerySchema));
      const found = await services.auditLog.searchEvents(filter, page);
      render(ctx, 'admin/audit', {
        title: t('admin.audit.title'), form,
        events: found.events.map(auditEventJson).map((e) => ({ ...e, at: e.created_at, dataText: JSON.stringify(e.data).slice(0, 300) })),
        next: nextLink(ctx, '/admin/audit', found.next),
      });
    } catch (error) {
      if (!isAppError(error) || !error.expose) throw error;
      render(ctx, 'admin/audit', { title: t('admin.audit.title'), form, error: error.message, events: [] }, 400);
    }
  });
}
