// Owns the profile field pages under /admin/profile-fields: the schema in order, defining a field, changing
// one (labels, purpose, releasing scope, claim, validation, options, and its collection rule: when it is asked,
// its priority, enabled), and removing one nobody holds a value of (behind a confirmation; otherwise it is
// retired by turning it off). Checked with the admin API's schemas; a change reaches the Provider at once.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { FIELD_TYPES, profileFieldSchema, type ProfileFieldDefinition } from '../../config/profile-fields.ts';
import { AppError } from '../../errors/app-error.ts';
import { fieldChangeSchema, type AdminFieldView } from '../../profile/field-admin.ts';
import { auditPageChange, checked, checkForm, confirmed, FormRefused, refusalsOf, type FormError, type PageTools } from './forms.ts';

const MEMBERS = ['key', 'type', 'label', 'help', 'purpose', 'scope', 'claim', 'ask', 'priority', 'enabled', 'validation', 'options'] as const;
const KEY = /^[a-z][a-z0-9_]{0,63}$/;
const LOCALE_LINE = /^([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*):\s*(.*)$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** "en: First name" a line (a line without a locale is English); empty: undefined. */
function localized(text: string | null): Record<string, string> | undefined {
  const lines = (text ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) return undefined;
  return Object.fromEntries(lines.map((line) => {
    const m = LOCALE_LINE.exec(line);
    return m ? [m[1]!, m[2]!] : ['en', line];
  }));
}
const localizedText = (labels: Record<string, string> | undefined) => Object.entries(labels ?? {}).map(([locale, text]) => `${locale}: ${text}`).join('\n');

/** "value: label" a line (the label in English). */
const optionsOf = (text: string | null) => (text ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean)
  .map((line) => {
    const [value, ...label] = line.split(':');
    return { value: value!.trim(), label: { en: (label.join(':').trim() || value!.trim()) } };
  });

const numberOrText = (v: string) => (NUMBER.test(v) ? Number(v) : v);

/** The API's JSON body from the form; on a new field an empty box is left out (the API's default applies), on an edit it clears. */
function bodyOf(form: URLSearchParams, creating: boolean): Record<string, unknown> {
  const text = (name: string) => form.get(name)?.trim() ?? '';
  const body: Record<string, unknown> = {};
  const clearable = (name: string, value: unknown) => {
    if (value !== undefined) body[name] = value;
    else if (!creating && form.has(name)) body[name] = null;
  };
  if (creating) {
    body.key = text('key');
    if (text('type')) body.type = text('type');
  }
  if (form.has('label')) body.label = localized(form.get('label')) ?? {};
  clearable('help', localized(form.get('help')));
  if (text('purpose')) body.purpose = text('purpose');
  if (form.has('scope')) body.scope = text('scope') || null;
  clearable('claim', text('claim') || undefined);
  const ask = text('ask');
  if (ask === 'fromVisit') body.ask = { fromVisit: numberOrText(text('from_visit')) };
  else if (ask) body.ask = ask;
  if (text('priority')) body.priority = numberOrText(text('priority'));
  if (form.has('enabled')) body.enabled = checked(form, 'enabled').includes('yes');
  const validation = Object.fromEntries((['minLength', 'maxLength', 'min', 'max'] as const).filter((n) => text(`validation_${n}`)).map((n) => [n, numberOrText(text(`validation_${n}`))]));
  if (text('validation_pattern')) validation.pattern = text('validation_pattern');
  if (form.has('validation_pattern') && (!creating || Object.keys(validation).length)) body.validation = validation;
  const options = optionsOf(form.get('options'));
  clearable('options', options.length ? options : undefined);
  return body;
}

function formValues(d: Partial<ProfileFieldDefinition> | undefined, typed?: URLSearchParams) {
  if (typed) {
    const names = ['key', 'type', 'label', 'help', 'purpose', 'scope', 'claim', 'ask', 'from_visit', 'priority', 'options', 'validation_minLength', 'validation_maxLength', 'validation_pattern', 'validation_min', 'validation_max'];
    return { ...Object.fromEntries(names.map((n) => [n, (typed.get(n) ?? '').slice(0, 4000)])), enabled: checked(typed, 'enabled').includes('yes') };
  }
  const v = d?.validation ?? {};
  const ask = d?.ask ?? 'never';
  return {
    key: d?.key ?? '', type: d?.type ?? 'string', label: localizedText(d?.label), help: localizedText(d?.help), purpose: d?.purpose ?? 'account', scope: d === undefined ? 'profile' : d.scope ?? '',
    claim: d?.claim ?? '', ask: typeof ask === 'string' ? ask : 'fromVisit', from_visit: typeof ask === 'string' ? '' : String(ask.fromVisit), priority: String(d?.priority ?? 0), enabled: d?.enabled ?? true,
    options: (d?.options ?? []).map((o) => `${o.value}: ${o.label.en ?? Object.values(o.label)[0] ?? o.value}`).join('\n'),
    validation_minLength: v.minLength ?? '', validation_maxLength: v.maxLength ?? '', validation_pattern: v.pattern ?? '', validation_min: v.min ?? '', validation_max: v.max ?? '',
  };
}

const askText = (f: AdminFieldView) => (typeof f.definition.ask === 'string' ? f.definition.ask : `from visit ${f.definition.ask.fromVisit}`);

export function registerProfileFieldPages(pages: Router, tools: PageTools): void {
  const { deps, render, done, notice } = tools;
  const { services } = deps;
  const admin = services.profileFields;
  const keyOf = (ctx: Context) => (KEY.test(String(ctx.params.key)) ? String(ctx.params.key) : '');
  const find = async (key: string) => (key ? (await admin.list()).find((f) => f.key === key) : undefined);
  const missing = (ctx: Context) => render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such profile field.' }, 404);
  const formPage = async (ctx: Context, data: { field?: AdminFieldView; typed?: URLSearchParams; errors?: FormError[] }, status = 200) => render(ctx, 'admin/profile-field-form', {
    title: data.field ? `Profile field ${data.field.key}` : 'Define a profile field', notice: notice(ctx), field: data.field, errors: data.errors,
    action: data.field ? `/admin/profile-fields/${data.field.key}/edit` : '/admin/profile-fields/new',
    form: formValues(data.field?.definition, data.typed), types: FIELD_TYPES, asks: ['never', 'signup', 'fromVisit'],
    purposes: (await services.consentRegistry.listPurposes()).map((p) => p.id),
  }, status);
  const changed = async (ctx: Context, route: string, key: string) => {
    await deps.onProtocolChanged?.();
    await auditPageChange(deps, ctx, route, { key });
  };

  pages.get('/profile-fields', async (ctx) => {
    render(ctx, 'admin/profile-fields', {
      title: 'Profile fields', notice: notice(ctx),
      fields: (await admin.list()).map((f) => ({
        key: f.key, label: f.definition.label.en ?? Object.values(f.definition.label)[0] ?? f.key, type: f.definition.type, purpose: f.definition.purpose,
        scope: f.definition.scope ?? '—', claim: f.claimName, ask: askText(f), priority: f.definition.priority, enabled: f.definition.enabled, values: f.values,
      })),
    });
  });
  pages.get('/profile-fields/new', (ctx) => formPage(ctx, {}));
  pages.post('/profile-fields/new', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const body = bodyOf(form, true);
    const refused = await refusalsOf(async () => {
      const input = checkForm(profileFieldSchema, body);
      if (!input.ok) throw new FormRefused(input.errors);
      const definition = input.value;
      if (await find(definition.key)) throw new AppError('profile_field.exists', `key: a field ${definition.key} exists; change it on its own page.`, 409);
      await admin.define(definition);
    }, 'field', MEMBERS);
    if (refused) return formPage(ctx, { typed: form, errors: refused.errors }, refused.status);
    await changed(ctx, '/admin/profile-fields/new', String(body.key));
    done(ctx, '/admin/profile-fields', `Defined ${String(body.key)}.`);
  });
  pages.get('/profile-fields/:key/edit', async (ctx) => {
    const field = await find(keyOf(ctx));
    if (!field) return missing(ctx);
    await formPage(ctx, { field });
  });
  pages.post('/profile-fields/:key/edit', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const field = await find(keyOf(ctx));
    if (!field) return missing(ctx);
    const refused = await refusalsOf(async () => {
      const input = checkForm(fieldChangeSchema, bodyOf(form, false));
      if (!input.ok) throw new FormRefused(input.errors);
      await admin.change(field.key, input.value);
    }, 'field', MEMBERS);
    if (refused) return formPage(ctx, { field, typed: form, errors: refused.errors }, refused.status);
    await changed(ctx, '/admin/profile-fields/:key/edit', field.key);
    done(ctx, `/admin/profile-fields/${field.key}/edit`, 'Saved.');
  });
  pages.post('/profile-fields/:key/remove', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    const field = await find(keyOf(ctx));
    if (!field) return missing(ctx);
    const path = `/admin/profile-fields/${field.key}`;
    if (!confirmed(tools, ctx, form, { title: `Remove the profile field ${field.key}?`, consequence: 'The field leaves the schema: it is no longer asked, stored or released. (A field accounts hold values of cannot be removed: turn it off instead.)', action: `${path}/remove`, button: 'Yes, remove the field', cancel: `${path}/edit` })) return;
    const refused = await refusalsOf(() => admin.remove(field.key), 'field', MEMBERS);
    if (refused) return formPage(ctx, { field, errors: refused.errors.map((e) => ({ ...e, href: '#field-enabled' })) }, refused.status);
    await changed(ctx, '/admin/profile-fields/:key/remove', field.key);
    done(ctx, '/admin/profile-fields', `Removed ${field.key}.`);
  });
}
