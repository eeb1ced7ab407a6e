// Owns what each administrator role may do on the admin pages: every page needs at least viewer (the
// session check admits only administrators); every change (a POST) needs operator. A refusal is a 403 page
// naming the role the action needs and the role the administrator has.
import type { Context, Next } from 'koa';
import { roleAllows, type AdminRole } from '../../accounts/admins.ts';
import type { Views } from '../../http/views.ts';
import { t } from '../../i18n/translate.ts';

export const adminRoleOf = (ctx: Context): AdminRole => (ctx.state.admin as { role: AdminRole }).role;

/** The admin-page actor of the audit log. */
export const pageActor = (ctx: Context): string => `admin:${(ctx.state.admin as { account: { id: string } }).account.id}`;

const ROLE_NAMES: Record<AdminRole, string> = { viewer: 'admin.role.viewer', operator: 'admin.role.operator', owner: 'admin.role.owner' };

/** A role's name in the reader's language. */
export const roleName = (role: AdminRole): string => t(ROLE_NAMES[role]);

export function renderMissingRole(views: Views, ctx: Context, needed: AdminRole): void {
  const role = adminRoleOf(ctx);
  ctx.status = 403;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = views.render('admin/forbidden', {
    title: t('admin.forbidden.title'), needed: roleName(needed), role: roleName(role), csrfToken: ctx.state.csrfToken,
    message: t('admin.forbidden.message', { needed: roleName(needed), role: roleName(role), command: `foyer admins add EMAIL --role ${needed}` }),
  });
}

/** Changes (POST) need operator; reading needs viewer, which every administrator has. */
export function requirePageRole(views: Views) {
  return async function pageRole(ctx: Context, next: Next): Promise<void> {
    if (ctx.method === 'POST' && !roleAllows(adminRoleOf(ctx), 'operator')) return renderMissingRole(views, ctx, 'operator');
    await next();
  };
}
