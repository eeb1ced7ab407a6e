// Owns the purposes and topics pages under /admin: list, create and edit them through the consent registry,
// checked with the admin API's own schemas. Neither can be deleted: consent records rest on them.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { CHANNELS, LEGAL_BASES, purposeSchema } from '../../config/consent-schema.ts';
import type { Purpose, Topic } from '../../consent/registry/registry.ts';
import { isAppError } from '../../errors/app-error.ts';
import { purposeInputSchema, topicInputSchema } from '../sections/purposes.ts';
import { checkForm, drawForm, fieldOfMessage, formValues, given, type EditTools, type FieldError, type FieldSpec, type FormValues, words } from './forms.ts';

const LOCALE = 'en';
const ID = { name: 'id', label: 'Id (lower-case letters, digits, . _ or -; cannot change later)', required: true } as const;
const TEXTS: FieldSpec[] = [
  { name: 'name', label: 'Name (English)', required: true },
  { name: 'description', label: 'Description (English)', kind: 'textarea', required: true },
];
const PURPOSE_FIELDS: FieldSpec[] = [
  ID, { name: 'legalBasis', label: 'Legal basis', kind: 'select', options: LEGAL_BASES }, ...TEXTS,
  { name: 'dataCategories', label: 'Data categories (comma-separated)', help: 'For example: email, name, usage' },
  { name: 'thirdPartyDisclosure', label: 'Disclosed to third parties', kind: 'checkbox' },
];
const TOPIC_FIELDS: FieldSpec[] = [ID, ...TEXTS, { name: 'channels', label: `Channels (space-separated: ${CHANNELS.join(', ')})`, required: true }];

const newPurposeSchema = purposeInputSchema.extend({ id: purposeSchema.shape.id });
const newTopicSchema = topicInputSchema.extend({ id: purposeSchema.shape.id });

/** Where a schema problem goes on the form. */
const fieldOf = (path: readonly PropertyKey[]) => (path[0] === 'texts' ? String(path[2] ?? 'name') : undefined);

const readOnlyId = (fields: FieldSpec[]) => fields.map((f) => (f.name === 'id' ? { ...f, label: 'Id', readOnly: true } : f));

export function registerPurposePages(pages: Router, tools: EditTools): void {
  const { deps: { services: { consentRegistry } }, render, done, notice, audit } = tools;
  const texts = (t: Purpose['texts']) => consentRegistry.text(t);

  const listPage = async (ctx: Context, forms: { purpose?: [FormValues, FieldError[]]; topic?: [FormValues, FieldError[]] } = {}, status = 200) => {
    const [purposes, topics] = await Promise.all([consentRegistry.listPurposes(), consentRegistry.listTopics()]);
    render(ctx, 'admin/edit/purposes', {
      title: 'Purposes and topics', notice: notice(ctx),
      purposes: purposes.map((p) => ({ id: p.id, name: texts(p.texts).name, basis: p.legalBasis, categories: p.dataCategories.join(', '), disclosed: p.thirdPartyDisclosure })),
      topics: topics.map((t) => ({ id: t.id, name: texts(t.texts).name, channels: t.channels.join(', ') })),
      purposeForm: drawForm('new-purpose', PURPOSE_FIELDS, forms.purpose?.[0] ?? { legalBasis: 'consent' }, forms.purpose?.[1]),
      topicForm: drawForm('new-topic', TOPIC_FIELDS, forms.topic?.[0] ?? { channels: CHANNELS.join(' ') }, forms.topic?.[1]),
    }, status);
  };
  const editPage = (ctx: Context, what: 'purpose' | 'topic', id: string, values: FormValues, errors: FieldError[] = [], status = 200) => {
    render(ctx, 'admin/edit/registry-entry', {
      title: `${what === 'purpose' ? 'Purpose' : 'Topic'} ${id}`, notice: notice(ctx), what, action: `/admin/${what}s/${id}`,
      form: drawForm(`edit-${what}`, readOnlyId(what === 'purpose' ? PURPOSE_FIELDS : TOPIC_FIELDS), { ...values, id }, errors),
    }, status);
  };
  const purposeValues = (p: Purpose): FormValues => ({
    id: p.id, legalBasis: p.legalBasis, name: p.texts[LOCALE]?.name, description: p.texts[LOCALE]?.description, dataCategories: p.dataCategories.join(', '), thirdPartyDisclosure: p.thirdPartyDisclosure ? 'on' : '',
  });
  const topicValues = (t: Topic): FormValues => ({ id: t.id, name: t.texts[LOCALE]?.name, description: t.texts[LOCALE]?.description, channels: t.channels.join(' ') });
  const purposeBody = (v: FormValues, previous?: Purpose) => ({
    ...(previous ? {} : { id: v.id ?? '' }), legalBasis: v.legalBasis, texts: { ...previous?.texts, [LOCALE]: { name: v.name ?? '', description: v.description ?? '' } },
    dataCategories: (v.dataCategories ?? '').split(',').map((c) => c.trim()).filter(Boolean), thirdPartyDisclosure: v.thirdPartyDisclosure === 'on',
  });
  const topicBody = (v: FormValues, previous?: Topic) => ({
    ...(previous ? {} : { id: v.id ?? '' }), texts: { ...previous?.texts, [LOCALE]: { name: v.name ?? '', description: v.description ?? '' } }, channels: words(v.channels),
  });
  /** Saves through the registry; its refusals (a legal basis consent rests on) come back as field errors. */
  const save = async (run: () => Promise<unknown>): Promise<{ errors: FieldError[]; status: number }> => {
    try {
      await run();
      return { errors: [], status: 200 };
    } catch (error) {
      if (!isAppError(error) || !error.expose) throw error;
      return { errors: [{ field: fieldOfMessage(error.message), message: error.message }], status: error.status };
    }
  };

  pages.get('/purposes', (ctx) => listPage(ctx));
  pages.post('/purposes', async (ctx) => {
    const values = formValues(tools.deps.csrf.verifiedForm(ctx), PURPOSE_FIELDS);
    const checked = checkForm(newPurposeSchema, purposeBody(values), fieldOf);
    let outcome = { errors: checked.ok ? [] : checked.errors, status: 400 };
    if (checked.ok && await consentRegistry.findPurpose(checked.value.id)) outcome = { errors: [{ field: 'id', message: `id: a purpose ${checked.value.id} exists; edit it instead.` }], status: 409 };
    if (checked.ok && !outcome.errors.length) outcome = await save(() => consentRegistry.savePurpose(checked.value));
    if (outcome.errors.length || !checked.ok) return listPage(ctx, { purpose: [values, outcome.errors] }, outcome.status);
    await audit(ctx, '/admin/purposes', { id: checked.value.id });
    done(ctx, `/admin/purposes/${checked.value.id}`, 'Purpose created.');
  });
  pages.get('/purposes/:id', async (ctx) => {
    const found = await consentRegistry.findPurpose(String(ctx.params.id).slice(0, 100));
    if (!found) return render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such purpose.' }, 404);
    editPage(ctx, 'purpose', found.id, purposeValues(found));
  });
  pages.post('/purposes/:id', async (ctx) => {
    const form = tools.deps.csrf.verifiedForm(ctx);
    const found = await consentRegistry.findPurpose(String(ctx.params.id).slice(0, 100));
    if (!found) return render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such purpose.' }, 404);
    const values = formValues(form, PURPOSE_FIELDS);
    const checked = checkForm(purposeInputSchema, purposeBody(values, found), fieldOf);
    const outcome = checked.ok ? await save(() => consentRegistry.savePurpose({ id: found.id, ...checked.value })) : { errors: checked.errors, status: 400 };
    if (outcome.errors.length) return editPage(ctx, 'purpose', found.id, values, outcome.errors, outcome.status);
    await audit(ctx, '/admin/purposes/:id', { id: found.id });
    done(ctx, `/admin/purposes/${found.id}`, 'Saved.');
  });

  const findTopic = async (id: string) => (await consentRegistry.listTopics()).find((t) => t.id === id);
  pages.post('/topics', async (ctx) => {
    const values = formValues(tools.deps.csrf.verifiedForm(ctx), TOPIC_FIELDS);
    const checked = checkForm(newTopicSchema, topicBody(values), fieldOf);
    let outcome = { errors: checked.ok ? [] : checked.errors, status: 400 };
    if (checked.ok && await findTopic(checked.value.id)) outcome = { errors: [{ field: 'id', message: `id: a topic ${checked.value.id} exists; edit it instead.` }], status: 409 };
    if (checked.ok && !outcome.errors.length) outcome = await save(() => consentRegistry.saveTopic(checked.value));
    if (outcome.errors.length || !checked.ok) return listPage(ctx, { topic: [values, outcome.errors] }, outcome.status);
    await audit(ctx, '/admin/topics', { id: checked.value.id });
    done(ctx, `/admin/topics/${checked.value.id}`, 'Topic created.');
  });
  pages.get('/topics/:id', async (ctx) => {
    const found = await findTopic(String(ctx.params.id).slice(0, 100));
    if (!found) return render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such topic.' }, 404);
    editPage(ctx, 'topic', found.id, topicValues(found));
  });
  pages.post('/topics/:id', async (ctx) => {
    const form = tools.deps.csrf.verifiedForm(ctx);
    const found = await findTopic(String(ctx.params.id).slice(0, 100));
    if (!found) return render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such topic.' }, 404);
    const values = formValues(form, TOPIC_FIELDS);
    const checked = checkForm(topicInputSchema, topicBody(values, found), fieldOf);
    const outcome = checked.ok ? await save(() => consentRegistry.saveTopic({ id: found.id, ...checked.value })) : { errors: checked.errors, status: 400 };
    if (outcome.errors.length) return editPage(ctx, 'topic', found.id, values, outcome.errors, outcome.status);
    await audit(ctx, '/admin/topics/:id', { id: found.id });
    done(ctx, `/admin/topics/${found.id}`, 'Saved.');
  });
}

