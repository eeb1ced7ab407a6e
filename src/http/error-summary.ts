// Owns the error summary at the top of a form page (views/partials/alert.hbs): which field each error
// belongs to, so the summary links to the field and the field points back at its message (WCAG 3.3.1).
// Imports nothing of the edges; views.ts adds its output to every page's context.

/** The field a page's single error is about, by view: the one thing the customer typed on that page. */
const MAIN_FIELD: Record<string, string> = {
  'journey/identify': 'email',
  'journey/password': 'password',
  'journey/email-code': 'code',
  'journey/verify-email': 'code',
  'journey/forgot': 'email',
  'journey/reset': 'code',
  'journey/mfa': 'code',
  'journey/mfa-email': 'code',
  'journey/mfa-enrol-email': 'code',
  'journey/mfa-recovery': 'code',
  'journey/mfa-setup': 'code',
  'journey/federation-email-code': 'code',
  'journey/federation-unconfirmed': 'email',
  'journey/terms': 'accept',
  'journey/device-code': 'user_code',
  'portal/welcome': 'email',
  'portal/overview': 'email',
  'portal/email-verify': 'code',
  'portal/enrol-proof': 'code',
  'portal/totp': 'code',
};

/** The id of the summary's message for a single error: fields name it in aria-describedby. */
export const ERROR_MESSAGE_ID = 'error-message';

export interface ErrorLink {
  href: string;
  message: string;
}

interface FormField {
  key: string;
  isText?: boolean;
  type?: string;
}

/** The form control a profile field's error points at (views/partials/profile-field.hbs gives the ids). */
function profileControlId(field: FormField): string {
  if (field.isText) return `field-${field.key}`;
  return field.type === 'boolean' ? `field-${field.key}-yes` : `field-${field.key}-0`;
}

/**
 * The summary's parts for a page: `errorField` (the id a single `error` is about), `errorLinks` (one
 * link per entry of an `errors` object, to the field it names) and `invalidFields` (every id in error).
 */
export function errorSummary(view: string, data: Record<string, unknown>): { errorField?: string; errorLinks: ErrorLink[]; invalidFields: string[]; hasErrors: boolean } {
  const errorField = typeof data.errorField === 'string' ? data.errorField : data.error ? MAIN_FIELD[view] : undefined;
  // The journey's profile step lists the controls; the account's profile page wraps each as { control }.
  const fields = (Array.isArray(data.fields) ? (data.fields as (FormField & { control?: FormField })[]) : []).map((f) => f.control ?? f);
  // A list of { href, message } (the admin forms) has its own summary, views/partials/admin/error-summary.hbs.
  const errors = data.errors && typeof data.errors === 'object' && !Array.isArray(data.errors) ? Object.entries(data.errors as Record<string, unknown>) : [];
  const errorLinks = errors.flatMap(([key, message]) => {
    if (typeof message !== 'string' || message === '') return [];
    const field = fields.find((f) => f.key === key);
    return [{ href: `#${field ? profileControlId(field) : key}`, message }];
  });
  const invalidFields = [...(errorField ? [errorField] : []), ...errorLinks.map((link) => link.href.slice(1))];
  return { ...(errorField ? { errorField } : {}), errorLinks, invalidFields, hasErrors: Boolean(data.error) || errorLinks.length > 0 };
}

/**
 * `{{fieldAria "code" "code-help"}}` inside a form control: its aria-describedby (the given ids, and the
 * summary's message when the page's single error is about it) and aria-invalid when it is in error.
 */
export function fieldAria(root: { errorField?: unknown; invalidFields?: unknown }, id: string, describedBy: string[]): string {
  const invalid = Array.isArray(root.invalidFields) && root.invalidFields.includes(id);
  const ids = [...describedBy, ...(root.errorField === id ? [ERROR_MESSAGE_ID] : [])];
  const escape = (value: string) => value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  return [ids.length > 0 ? `aria-describedby="${escape(ids.join(' '))}"` : '', invalid ? 'aria-invalid="true"' : ''].filter(Boolean).join(' ');
}
