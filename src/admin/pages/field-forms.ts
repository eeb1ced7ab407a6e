// Owns the admin edit forms drawn from field specs (purposes, documents, connectors): a form is a list of labelled fields; a body is checked with the
// admin API's own zod schema, and its problems come back as a summary at the top, each linked to its field.
import type { z } from 'zod';

import type { Context } from 'koa';
import type { PageTools } from './forms.ts';

/** What these page groups receive from the admin router: the shared page tools, plus recording a change. */
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
  help?: string;
  required?: boolean;
  /** Shown but not sent (an id that cannot change once made). */
  readOnly?: boolean;
}

export interface FieldError {
  field: string;
  message: string;
}

export type FormValues = Record<string, string | undefined>;

/** Values as typed, kept short, to fill the form again after a refusal. */
export function formValues(form: URLSearchParams, specs: readonly FieldSpec[]): FormValues {
  return Object.fromEntries(specs.map((s) => [s.name, form.get(s.name)?.slice(0, s.kind === 'textarea' ? 10_000 : 2000) ?? undefined]));
}

/**
 * Checks `body` with the API's schema; on failure each issue goes to the field `fieldOf` names for its path
 * (the first path element when it names none).
 */
export function checkWith<T>(schema: z.ZodType<T>, body: unknown, fieldOf: (path: readonly PropertyKey[]) => string | undefined = () => undefined):
  { ok: true; value: T } | { ok: false; errors: FieldError[] } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors = parsed.error.issues.map((issue) => ({
    field: fieldOf(issue.path) ?? String(issue.path[0] ?? ''),
    message: `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
  }));
  return { ok: false, errors };
}

const fieldId = (form: string, name: string) => `${form}-${name.replace(/[^\w-]/g, '_')}`;

/** The fields as the `admin/edit-form` partial draws them, each with its value and its error. */
export function drawForm(id: string, specs: readonly FieldSpec[], values: FormValues = {}, errors: FieldError[] = []) {
  const known = new Set(specs.map((s) => s.name));
  return {
    id,
    // A problem with no field of its own is linked to the first field.
    summary: errors.map((e) => ({ message: e.message, href: `#${fieldId(id, known.has(e.field) ? e.field : specs[0]!.name)}` })),
    fields: specs.map((s) => {
      const value = values[s.name] ?? '';
      const error = errors.filter((e) => e.field === s.name).map((e) => e.message).join(' ');
      const kind = s.kind ?? 'text';
      return {
        ...s, id: fieldId(id, s.name), value, error: error || undefined,
        describedBy: [s.help ? `${fieldId(id, s.name)}-help` : '', error ? `${fieldId(id, s.name)}-error` : ''].filter(Boolean).join(' ') || undefined,
        inputType: kind === 'url' ? 'url' : kind === 'password' ? 'password' : 'text', isPassword: kind === 'password',
        isTextarea: kind === 'textarea', isSelect: kind === 'select', isCheckbox: kind === 'checkbox', checked: value === 'on' || value === 'true',
        options: s.options?.map((o) => ({ value: o, selected: o === value })),
      };
    }),
  };
}
