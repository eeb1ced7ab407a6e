// Owns how a profile field becomes a form control (input type, choices, what the customer typed, its
// error): shared by the journey's profile step and the account pages, which render views/partials/profile-field.
import type { FieldView } from '../profile/service.ts';

export interface FieldFormOptions {
  required?: string[];
  /** Why a required field is asked, e.g. "Shop needs this to continue." */
  why?: string;
  errors?: Record<string, string>;
}

/** Each field as a form shows it; `input(key)` gives what was typed (kept on a re-render) or the stored value. */
export function formFields(views: FieldView[], input: (key: string) => string[], options: FieldFormOptions = {}) {
  return views.map((view) => {
    const raw = input(view.key);
    const isRequired = options.required?.includes(view.key) ?? false;
    return {
      ...view,
      required: isRequired,
      why: isRequired ? options.why : undefined,
      value: raw[0] ?? '',
      options: view.options.map((o) => ({ ...o, selected: raw.includes(o.value) })),
      yes: raw[0] === 'true',
      no: raw[0] === 'false',
      inputType: view.type === 'date' ? 'date' : view.key === 'phone_number' ? 'tel' : view.key === 'picture' || view.key === 'website' ? 'url' : 'text',
      inputMode: view.type === 'number' ? 'decimal' : undefined,
      isText: view.type === 'string' || view.type === 'number' || view.type === 'date',
      error: options.errors?.[view.key],
    };
  });
}

/** A stored value as form input: lists stay lists, everything else becomes one string. */
export function storedAsInput(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'object') return [String((value as { formatted?: unknown }).formatted ?? JSON.stringify(value))];
  return [String(value)];
}
