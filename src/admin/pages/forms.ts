// Owns what the admin pages' edit forms share: checking a form's values with the admin API's own zod schema
// (checkForm, the one way), turning refusals into an error summary whose entries link to their fields, forms drawn
// from field specs, the confirmation step of a destructive action, and the audit event of a change made on the pages.
import type { Context } from 'koa';
import type { z } from 'zod';
import { isAppError } from '../../errors/app-error.ts';
import { directionOf, type Language } from '../../i18n/languages.ts';
import { describeIssue, zodErrorMap } from '../../i18n/zod.ts';
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

/** Thrown inside `refusalsOf` work when a form is refused. */
export class FormRefused extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map((e) => e.message).join('; '));
    this.errors = errors;
  }
}

/** Words split on spaces, commas or new lines (lists typed in one box). */
export const words = (value: string | null | undefined): string[] => (value ?? '').split(/[\s,]+/).map((v) => v.trim()).filter(Boolean);

/** The form's checkbox group (a hidden empty entry marks that the group was on the form). */
export const checked = (form: URLSearchParams, name: string): string[] => form.getAll(name).filter((v) => v !== '');

/** A problem with a form's value, by the name of the field it is about ('' when it names none). */
export interface FieldError {
  field: string;
  message: string;
}

export type FormCheck<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/**
 * Checks `value` with the API's schema; each problem goes to the field `fieldOf` names for its path (the first
 * path element when it names none). Pages that collect refusals with `refusalsOf` throw `new FormRefused(errors)`.
 */
export function checkForm<T>(schema: z.ZodType<T>, value: unknown, fieldOf: (path: readonly PropertyKey[]) => string | undefined = () => undefined): FormCheck<T> {
  // zod's own messages in the reader's language; a schema's catalogue-key message translated (describeIssue).
  const parsed = schema.safeParse(value, { error: zodErrorMap() });
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => ({
      field: fieldOf(issue.path) ?? (typeof issue.path[0] === 'string' ? issue.path[0] : ''),
      message: describeIssue(issue),
    })),
  };
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
    if (error instanceof FormRefused) return { errors: error.errors.map((e) => ({ message: e.message, href: `#${prefix}-${e.field || 'form'}` })), status: 400 };
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

/** What the field-spec page groups receive from the admin router: the shared page tools, plus recording a change. */
export interface EditTools extends PageTools {
  /** Records an admin.changed event with the page actor. */
  audit(ctx: Context, route: string, ids?: Record<string, string>): Promise<void>;
}

/** A trimmed value, or undefined when left empty (an optional field not given). */
export const given = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** The field an AppError's message names ("field: …"), to show it beside that field. */
export const fieldOfMessage = (message: string) => /^(\w+)[.:]/.exec(message)?.[1] ?? '';

export interface FieldSpec {
  name: string;
  label: string;
  kind?: 'text' | 'url' | 'textarea' | 'select' | 'checkbox' | 'password';
  options?: readonly string[];
  /** What a person reads for an option (in the page's language); the option's value when absent. */
  optionLabel?: (option: string) => string;
  help?: string;
  required?: boolean;
  /** Shown but not sent (an id that cannot change once made). */
  readOnly?: boolean;
  /** The language the value is written in (the input gets its `lang` and `dir`): a text held per language. */
  lang?: Language;
  /** The legend of the fieldset that groups this field with the fields next to it that name the same one. */
  fieldset?: string;
}

export type FormValues = Record<string, string | undefined>;

/** Values as typed, kept short, to fill the form again after a refusal. */
export function formValues(form: URLSearchParams, specs: readonly FieldSpec[]): FormValues {
  return Object.fromEntries(specs.map((s) => [s.name, form.get(s.name)?.slice(0, s.kind === 'textarea' ? 10_000 : 2000) ?? undefined]));
}

const fieldId = (form: string, name: string) => `${form}-${name.replace(/[^\w-]/g, '_')}`;

type DrawnField = ReturnType<typeof drawField>;
/** What the partial iterates: a field, or a fieldset of consecutive fields naming the same legend. */
type DrawnItem = DrawnField | { isFieldset: true; legend: string; fields: DrawnField[] };

function drawField(id: string, s: FieldSpec, values: FormValues, errors: FieldError[]) {
  const value = values[s.name] ?? '';
  const error = errors.filter((e) => e.field === s.name).map((e) => e.message).join(' ');
  const kind = s.kind ?? 'text';
  return {
    ...s, id: fieldId(id, s.name), value, error: error || undefined, dir: s.lang ? directionOf(s.lang) : undefined,
    describedBy: [s.help ? `${fieldId(id, s.name)}-help` : '', error ? `${fieldId(id, s.name)}-error` : ''].filter(Boolean).join(' ') || undefined,
    inputType: kind === 'url' ? 'url' : kind === 'password' ? 'password' : 'text', isPassword: kind === 'password',
    isTextarea: kind === 'textarea', isSelect: kind === 'select', isCheckbox: kind === 'checkbox', checked: value === 'on' || value === 'true',
    options: s.options?.map((o) => ({ value: o, label: s.optionLabel?.(o) ?? o, selected: o === value })),
  };
}

/** The fields as the `admin/edit-form` partial draws them, each with its value and its error. */
export function drawForm(id: string, specs: readonly FieldSpec[], values: FormValues = {}, errors: FieldError[] = []) {
  const known = new Set(specs.map((s) => s.name));
  const fields: DrawnItem[] = [];
  for (const spec of specs) {
    const drawn = drawField(id, spec, values, errors);
    const last = fields.at(-1);
    if (spec.fieldset === undefined) fields.push(drawn);
    else if (last && 'isFieldset' in last && last.legend === spec.fieldset) last.fields.push(drawn);
    else fields.push({ isFieldset: true, legend: spec.fieldset, fields: [drawn] });
  }
  return {
    id,
    // A problem with no field of its own is linked to the first field.
    summary: errors.map((e) => ({ message: e.message, href: `#${fieldId(id, known.has(e.field) ? e.field : specs[0]!.name)}` })),
    fields,
  };
}
