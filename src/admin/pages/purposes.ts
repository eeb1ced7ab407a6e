// Owns the purposes and topics pages under /admin: list, create and edit them through the consent registry,
// checked with the admin API's own schemas; the edit pages hold the name and description in each language.
// Neither can be deleted: consent records rest on them.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { CHANNELS, LEGAL_BASES, purposeSchema } from '../../config/consent-schema.ts';
import type { Purpose, Topic } from '../../consent/registry/registry.ts';
import { isAppError } from '../../errors/app-error.ts';
import { LANGUAGES } from '../../i18n/languages.ts';
import { t } from '../../i18n/translate.ts';
import { purposeInputSchema, topicInputSchema } from '../sections/purposes.ts';
import { checkForm, drawForm, fieldOfMessage, formValues, given, type EditTools, type FieldError, type FieldSpec, type FormValues, words } from './forms.ts';

const LOCALE = 'en';
// Labels are message keys read when a form is drawn, so each page speaks its reader's language.
const idField = (): FieldSpec => ({ name: 'id', label: t('admin_privacy.registry.id_input'), required: true });
const textFields = (): FieldSpec[] => [
  { name: 'name', label: t('admin_privacy.registry.name_input'), required: true },
  { name: 'description', label: t('admin_privacy.registry.description_input'), kind: 'textarea', required: true },
];
/**
 * The edit pages' texts: a name and a description per language, one fieldset each, English required (the others
 * fall back to the default language's text where empty).
 */
const languageFields = (): FieldSpec[] => LANGUAGES.flatMap((lang): FieldSpec[] => {
  const fieldset = t('admin_privacy.registry.language', { language: lang });
  const required = lang === LOCALE;
  return [
    { name: `name_${lang}`, label: t('admin_privacy.registry.name'), required, lang, fieldset, ...(required ? {} : { help: t('admin_privacy.registry.language_optional') }) },
    { name: `description_${lang}`, label: t('admin_privacy.registry.description'), kind: 'textarea', required, lang, fieldset },
  ];
});
const purposeFields = (texts = textFields()): FieldSpec[] => [
  idField(), { name: 'legalBasis', label: t('admin_privacy.purposes.legal_basis'), kind: 'select', options: LEGAL_BASES, optionLabel: (basis) => t('admin_privacy.legal_basis', { basis }) }, ...texts,
  { name: 'dataCategories', label: t('admin_privacy.purposes.categories_input'), help: t('admin_privacy.purposes.categories_help') },
  { name: 'thirdPartyDisclosure', label: t('admin_privacy.purposes.disclosed_input'), kind: 'checkbox' },
];
const topicFields = (texts = textFields()): FieldSpec[] => [idField(), ...texts, { name: 'channels', label: t('admin_privacy.topics.channels_input', { channels: CHANNELS.join(', ') }), required: true }];

const newPurposeSchema = purposeInputSchema.extend({ id: purposeSchema.shape.id });
const newTopicSchema = topicInputSchema.extend({ id: purposeSchema.shape.id });

/** Where a schema problem goes on the form: the new entry's English boxes, or the edit page's box of its language. */
const fieldOf = (path: readonly PropertyKey[]) => (path[0] === 'texts' ? String(path[2] ?? 'name') : undefined);
const fieldOfLanguage = (path: readonly PropertyKey[]) => (path[0] === 'texts' ? `${String(path[2] ?? 'name')}_${String(path[1] ?? LOCALE)}` : undefined);

type Texts = Purpose['texts'];
/** The new entry's texts: English only (the other languages are added on its edit page). */
const englishTexts = (v: FormValues): Texts => ({ [LOCALE]: { name: v.name ?? '', description: v.description ?? '' } });
/**
 * The edited texts: each language on the form is set, or removed when both its boxes are empty (English is always
 * sent, so the schema refuses it empty). A language not on the form — posted by an older form, or held through the
 * API beyond the pages' eight — keeps its text: saving one language never drops another.
 */
function editedTexts(v: FormValues, previous: Texts): Texts {
  const texts = { ...previous };
  for (const lang of LANGUAGES) {
    const [name, description] = [v[`name_${lang}`], v[`description_${lang}`]];
    if (name === undefined && description === undefined) continue;
    const text = { name: name?.trim() ?? '', description: description?.trim() ?? '' };
    if (lang === LOCALE || text.name || text.description) texts[lang] = text;
    else delete texts[lang];
  }
  return texts;
}
const languageValues = (texts: Texts): FormValues => Object.fromEntries(LANGUAGES.flatMap((lang) => [[`name_${lang}`, texts[lang]?.name], [`description_${lang}`, texts[lang]?.description]]));

const readOnlyId = (fields: FieldSpec[]) => fields.map((f) => (f.name === 'id' ? { ...f, label: t('admin_privacy.registry.id'), readOnly: true } : f));

export function registerPurposePages(pages: Router, tools: EditTools): void {
  const { deps: { services: { consentRegistry } }, render, done, notice, audit } = tools;
  const texts = (text: Purpose['texts']) => consentRegistry.text(text);

  const listPage = async (ctx: Context, forms: { purpose?: [FormValues, FieldError[]]; topic?: [FormValues, FieldError[]] } = {}, status = 200) => {
    const [purposes, topics] = await Promise.all([consentRegistry.listPurposes(), consentRegistry.listTopics()]);
    render(ctx, 'admin/edit/purposes', {
      title: t('admin_privacy.purposes.title'), notice: notice(ctx),
      purposes: purposes.map((p) => ({ id: p.id, name: texts(p.texts).name, basis: t('admin_privacy.legal_basis', { basis: p.legalBasis }), categories: p.dataCategories.join(', '), disclosed: p.thirdPartyDisclosure })),
      topics: topics.map((topic) => ({ id: topic.id, name: texts(topic.texts).name, channels: topic.channels.join(', ') })),
      purposeForm: drawForm('new-purpose', purposeFields(), forms.purpose?.[0] ?? { legalBasis: 'consent' }, forms.purpose?.[1]),
      topicForm: drawForm('new-topic', topicFields(), forms.topic?.[0] ?? { channels: CHANNELS.join(' ') }, forms.topic?.[1]),
    }, status);
  };
  const editPage = (ctx: Context, what: 'purpose' | 'topic', id: string, values: FormValues, errors: FieldError[] = [], status = 200) => {
    render(ctx, 'admin/edit/registry-entry', {
      title: t('admin_privacy.registry.title', { what, id }), notice: notice(ctx), what, action: `/admin/${what}s/${id}`,
      form: drawForm(`edit-${what}`, readOnlyId(what === 'purpose' ? purposeFields(languageFields()) : topicFields(languageFields())), { ...values, id }, errors),
    }, status);
  };
  const purposeValues = (p: Purpose): FormValues => ({
    id: p.id, legalBasis: p.legalBasis, ...languageValues(p.texts), dataCategories: p.dataCategories.join(', '), thirdPartyDisclosure: p.thirdPartyDisclosure ? 'on' : '',
  });
  const topicValues = (topic: Topic): FormValues => ({ id: topic.id, ...languageValues(topic.texts), channels: topic.channels.join(' ') });
  const purposeBody = (v: FormValues, previous?: Purpose) => ({
    ...(previous ? {} : { id: v.id ?? '' }), legalBasis: v.legalBasis, texts: previous ? editedTexts(v, previous.texts) : englishTexts(v),
    dataCategories: (v.dataCategories ?? '').split(',').map((c) => c.trim()).filter(Boolean), thirdPartyDisclosure: v.thirdPartyDisclosure === 'on',
  });
  const topicBody = (v: FormValues, previous?: Topic) => ({
    ...(previous ? {} : { id: v.id ?? '' }), texts: previous ? editedTexts(v, previous.texts) : englishTexts(v), channels: words(v.channels),
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
    const values = formValues(tools.deps.csrf.verifiedForm(ctx), purposeFields());
    const checked = checkForm(newPurposeSchema, purposeBody(values), fieldOf);
    let outcome = { errors: checked.ok ? [] : checked.errors, status: 400 };
    if (checked.ok && await consentRegistry.findPurpose(checked.value.id)) outcome = { errors: [{ field: 'id', message: t('admin_privacy.purposes.exists', { id: checked.value.id }) }], status: 409 };
    if (checked.ok && !outcome.errors.length) outcome = await save(() => consentRegistry.savePurpose(checked.value));
    if (outcome.errors.length || !checked.ok) return listPage(ctx, { purpose: [values, outcome.errors] }, outcome.status);
    await audit(ctx, '/admin/purposes', { id: checked.value.id });
    done(ctx, `/admin/purposes/${checked.value.id}`, t('admin_privacy.purposes.created'));
  });
  pages.get('/purposes/:id', async (ctx) => {
    const found = await consentRegistry.findPurpose(String(ctx.params.id).slice(0, 100));
    if (!found) return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin_privacy.purposes.not_found') }, 404);
    editPage(ctx, 'purpose', found.id, purposeValues(found));
  });
  pages.post('/purposes/:id', async (ctx) => {
    const form = tools.deps.csrf.verifiedForm(ctx);
    const found = await consentRegistry.findPurpose(String(ctx.params.id).slice(0, 100));
    if (!found) return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin_privacy.purposes.not_found') }, 404);
    const values = formValues(form, purposeFields(languageFields()));
    const checked = checkForm(purposeInputSchema, purposeBody(values, found), fieldOfLanguage);
    const outcome = checked.ok ? await save(() => consentRegistry.savePurpose({ id: found.id, ...checked.value })) : { errors: checked.errors, status: 400 };
    if (outcome.errors.length) return editPage(ctx, 'purpose', found.id, values, outcome.errors, outcome.status);
    await audit(ctx, '/admin/purposes/:id', { id: found.id });
    done(ctx, `/admin/purposes/${found.id}`, t('admin_privacy.registry.saved'));
  });

  const findTopic = async (id: string) => (await consentRegistry.listTopics()).find((topic) => topic.id === id);
  pages.post('/topics', async (ctx) => {
    const values = formValues(tools.deps.csrf.verifiedForm(ctx), topicFields());
    const checked = checkForm(newTopicSchema, topicBody(values), fieldOf);
    let outcome = { errors: checked.ok ? [] : checked.errors, status: 400 };
    if (checked.ok && await findTopic(checked.value.id)) outcome = { errors: [{ field: 'id', message: t('admin_privacy.topics.exists', { id: checked.value.id }) }], status: 409 };
    if (checked.ok && !outcome.errors.length) outcome = await save(() => consentRegistry.saveTopic(checked.value));
    if (outcome.errors.length || !checked.ok) return listPage(ctx, { topic: [values, outcome.errors] }, outcome.status);
    await audit(ctx, '/admin/topics', { id: checked.value.id });
    done(ctx, `/admin/topics/${checked.value.id}`, t('admin_privacy.topics.created'));
  });
  pages.get('/topics/:id', async (ctx) => {
    const found = await findTopic(String(ctx.params.id).slice(0, 100));
    if (!found) return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin_privacy.topics.not_found') }, 404);
    editPage(ctx, 'topic', found.id, topicValues(found));
  });
  pages.post('/topics/:id', async (ctx) => {
    const form = tools.deps.csrf.verifiedForm(ctx);
    const found = await findTopic(String(ctx.params.id).slice(0, 100));
    if (!found) return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin_privacy.topics.not_found') }, 404);
    const values = formValues(form, topicFields(languageFields()));
    const checked = checkForm(topicInputSchema, topicBody(values, found), fieldOfLanguage);
    const outcome = checked.ok ? await save(() => consentRegistry.saveTopic({ id: found.id, ...checked.value })) : { errors: checked.errors, status: 400 };
    if (outcome.errors.length) return editPage(ctx, 'topic', found.id, values, outcome.errors, outcome.status);
    await audit(ctx, '/admin/topics/:id', { id: found.id });
    done(ctx, `/admin/topics/${found.id}`, t('admin_privacy.registry.saved'));
  });
}

