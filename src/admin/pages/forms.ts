// Owns what the admin pages' edit forms share: checking a form's values with the admin API's own zod schema,
// turning refusals into an error summary whose entries link to their fields, the confirmation step of a
// destructive action, and the audit event of a change made on the pages.
import type { Context } from 'koa';
import type { z } from 'zod';
import { isAppError } from '../../errors/app-error.ts';
import { pageActor } from './roles.ts';
import type { AdminPageDeps } from './types.ts';

type Render = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status?: number) => void;

/** What a page group receives from the pages' router (routes.ts). */
export interface PageTools {
  deps: AdminPageDeps;
  render: Render;
  done(ctx: Context, path: string, notice: string): void;
  notice(ctx: Context): string | undefined;
}

/** One entry of the error summary: the message and the id of the field it is about (the link target). */
export interface FormError {
  message: string;
  href: string;
}

export class FormRefused extends Error {
  readonly errors: FormError[];
  constructor(errors: FormError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
  }
}

/** Words split on spaces, commas or new lines (lists typed in one box). */
export const words = (value: string | null | undefined): string[] => (value ?? '').split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);

/** The form's checkbox group (a hidden empty entry marks that the group was on the form). */
export const checked = (form: URLSearchParams, name: string): string[] => form.getAll(name).filter((v) => v !== '');

/** `value` checked with the API's schema; every problem becomes a summary entry linked to `#<prefix>-<member>`. */
export function checkForm<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new FormRefused(parsed.error.issues.map((issue) => {
    const member = typeof issue.path[0] === 'string' ? issue.path[0] : '';
    return { message: `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`, href: `#${prefix}-${member || 'form'}` };
  }));
}

/**
 * Runs `work`; a refusal the person can act on (a FormRefused, or an exposed 4xx AppError whose message opens
 * with a member name, as the API's do) comes back as summary entries, anything else is thrown on.
 */
export async function refusalsOf(work: () => Promise<void>, prefix: string, members: readonly string[]): Promise<{ errors: FormError[]; status: number } | undefined> {
  try {
    await work();
    return undefined;
  } catch (error) {
    if (error instanceof FormRefused) return { errors: error.errors, status: 400 };
    if (!isAppError(error) || !error.expose || error.status >= 500) throw error;
    const member = /^([a-z_]+)\b/.exec(error.message)?.[1];
    return { errors: [{ message: error.message, href: `#${prefix}-${member && members.includes(member) ? member : 'form'}` }], status: error.status };
  }
}

/** Records a change made on the pages, with the administrator as its actor (as the webhook pages do). */
export async function auditPageChange(deps: AdminPageDeps, ctx: Context, route: string, ids: Record<string, string> = {}): Promise<void> {
  const { account } = ctx.state.admin as { account: { id: string } };
  await deps.services.events.emit({ type: 'admin.changed', accountId: account.id, actor: pageActor(ctx), data: { method: 'POST', route, via: 'pages', ...ids } });
}

export interface Confirmation {
  title: string;
  /** What will happen, in a sentence. */
  consequence: string;
  action: string;
  button: string;
  cancel: string;
  hidden?: Record<string, string>;
}

/** A destructive action's first POST shows what will happen; the confirming form posts again with confirm=yes. */
export function confirmed(tools: PageTools, ctx: Context, form: URLSearchParams, confirmation: Confirmation): boolean {
  if (form.get('confirm') === 'yes') return true;
  tools.render(ctx, 'admin/confirm', { ...confirmation, hidden: Object.entries(confirmation.hidden ?? {}).map(([name, value]) => ({ name, value })) });
  return false;
}
