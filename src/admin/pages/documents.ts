// Owns the documents pages under /admin: list documents with their versions, create one, and publish a new
// version, checked with the admin API's own schemas. A material version (every customer accepts it again)
// is published only after a confirmation page; a published version never changes.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { DocumentVersionExistsError, UnknownDocumentError, type DocumentInfo } from '../../consent/registry/registry.ts';
import { documentInputSchema, versionInputSchema } from '../sections/documents.ts';
import { t } from '../../i18n/translate.ts';
import { checkForm, drawForm, formValues, given, type EditTools, type FieldError, type FieldSpec, type FormValues } from './forms.ts';

// Labels are message keys read when a form is drawn, so each page speaks its reader's language.
const versionFields = (): FieldSpec[] => [
  { name: 'version', label: t('admin_privacy.documents.version_input'), required: true },
  { name: 'url', label: t('admin_privacy.documents.url_input'), kind: 'url' },
  { name: 'material', label: t('admin_privacy.documents.material_input'), kind: 'checkbox' },
];
const documentFields = (): FieldSpec[] => [
  { name: 'id', label: t('admin_privacy.registry.id_input'), required: true },
  { name: 'title', label: t('admin_privacy.documents.title_input'), required: true },
  { name: 'required', label: t('admin_privacy.documents.required_input'), kind: 'checkbox' },
  ...versionFields(),
];
const publishFields = (): FieldSpec[] => [
  ...versionFields(),
  { name: 'publishedAt', label: t('admin_privacy.documents.published_at_input') },
];

const versionBody = (v: FormValues) => ({ version: v.version ?? '', url: given(v.url), material: v.material === 'on', publishedAt: given(v.publishedAt) });
const fieldOf = (path: readonly PropertyKey[]) => (path[0] === 'versions' ? String(path[2] ?? 'version') : undefined);

export function registerDocumentPages(pages: Router, tools: EditTools): void {
  const { deps: { services: { consentRegistry }, csrf }, render, done, notice, audit } = tools;
  const find = async (id: string) => (await consentRegistry.listDocuments()).find((d) => d.id === id);
  const missing = (ctx: Context) => render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin_privacy.documents.not_found') }, 404);

  const listPage = async (ctx: Context, values: FormValues = { required: 'on', material: 'on', version: '1' }, errors: FieldError[] = [], status = 200) => {
    render(ctx, 'admin/edit/documents', {
      title: t('admin_privacy.documents.title'), notice: notice(ctx),
      documents: (await consentRegistry.listDocuments()).map((d) => ({ id: d.id, title: d.title, required: d.required, latest: d.versions[0]?.version ?? '—', count: d.versions.length })),
      form: drawForm('new-document', documentFields(), values, errors),
    }, status);
  };
  const documentPage = (ctx: Context, doc: DocumentInfo, values: FormValues = { material: 'on' }, errors: FieldError[] = [], status = 200) => {
    render(ctx, 'admin/edit/document', {
      title: doc.title, notice: notice(ctx), document: { id: doc.id, required: doc.required }, action: `/admin/documents/${doc.id}/versions`,
      versions: doc.versions.map((v) => ({ version: v.version, kind: v.material ? 'material' : 'editorial', publishedAt: v.publishedAt, url: v.url, pending: v.publishedAt > new Date() })),
      form: drawForm('publish-version', publishFields(), values, errors),
    }, status);
  };

  pages.get('/documents', (ctx) => listPage(ctx));
  pages.post('/documents', async (ctx) => {
    const values = formValues(csrf.verifiedForm(ctx), documentFields());
    const { version, url, material } = versionBody(values);
    const checked = checkForm(documentInputSchema, { id: values.id ?? '', title: values.title ?? '', required: values.required === 'on', versions: [{ version, url, material }] }, fieldOf);
    if (!checked.ok) return listPage(ctx, values, checked.errors, 400);
    const created = await consentRegistry.createDocument({ ...checked.value, versions: checked.value.versions.map((v) => ({ ...v, publishedAt: undefined })) });
    if (!created) return listPage(ctx, values, [{ field: 'id', message: t('admin_privacy.documents.exists', { id: checked.value.id }) }], 409);
    await audit(ctx, '/admin/documents', { id: created.id });
    done(ctx, `/admin/documents/${created.id}`, t('admin_privacy.documents.created'));
  });
  pages.get('/documents/:id', async (ctx) => {
    const doc = await find(String(ctx.params.id).slice(0, 100));
    if (!doc) return missing(ctx);
    documentPage(ctx, doc);
  });
  pages.post('/documents/:id/versions', async (ctx) => {
    const form = csrf.verifiedForm(ctx);
    const doc = await find(String(ctx.params.id).slice(0, 100));
    if (!doc) return missing(ctx);
    const values = formValues(form, publishFields());
    const checked = checkForm(versionInputSchema, versionBody(values));
    if (!checked.ok) return documentPage(ctx, doc, values, checked.errors, 400);
    const input = checked.value;
    if (input.material && form.get('confirm') !== 'yes') {
      // A material version asks every customer again: say so, and publish only on the confirming post.
      return render(ctx, 'admin/edit/confirm', {
        title: t('admin_privacy.documents.confirm.title', { version: input.version, title: doc.title }), action: `/admin/documents/${doc.id}/versions`,
        button: t('admin_privacy.documents.confirm.button'), cancel: `/admin/documents/${doc.id}`, text: t('admin_privacy.documents.confirm.text'),
        hidden: Object.entries(values).flatMap(([name, value]) => (value ? [{ name, value }] : [])),
      });
    }
    try {
      await consentRegistry.publishDocumentVersion({ documentId: doc.id, ...input, publishedAt: input.publishedAt === undefined ? undefined : new Date(input.publishedAt) });
    } catch (error) {
      if (error instanceof DocumentVersionExistsError) return documentPage(ctx, doc, values, [{ field: 'version', message: t('admin_privacy.documents.version_exists', { version: input.version }) }], 409);
      if (error instanceof UnknownDocumentError) return missing(ctx);
      throw error;
    }
    await audit(ctx, '/admin/documents/:id/versions', { id: doc.id, version: input.version });
    done(ctx, `/admin/documents/${doc.id}`, t('admin_privacy.documents.published', { version: input.version }));
  });
}
