// Owns the documents pages under /admin: list documents with their versions, create one, and publish a new
// version, checked with the admin API's own schemas. A material version (every customer accepts it again)
// is published only after a confirmation page; a published version never changes.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { DocumentVersionExistsError, UnknownDocumentError, type DocumentInfo } from '../../consent/registry/registry.ts';
import { documentInputSchema, versionInputSchema } from '../sections/documents.ts';
import { checkForm, drawForm, formValues, given, type EditTools, type FieldError, type FieldSpec, type FormValues } from './forms.ts';

const VERSION_FIELDS: FieldSpec[] = [
  { name: 'version', label: 'Version (letters, digits, . _ -)', required: true },
  { name: 'url', label: 'Address of the text (https)', kind: 'url' },
  { name: 'material', label: 'Material change: every customer accepts it again at the next sign-in', kind: 'checkbox' },
];
const DOCUMENT_FIELDS: FieldSpec[] = [
  { name: 'id', label: 'Id (lower-case letters, digits, . _ or -; cannot change later)', required: true },
  { name: 'title', label: 'Title', required: true },
  { name: 'required', label: 'Every customer must accept it (else only customers of apps that name it)', kind: 'checkbox' },
  ...VERSION_FIELDS,
];
const PUBLISH_FIELDS: FieldSpec[] = [
  ...VERSION_FIELDS,
  { name: 'publishedAt', label: 'Takes effect at (optional, e.g. 2027-01-01T00:00:00Z; now when empty)' },
];

const shortTime = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
const versionBody = (v: FormValues) => ({ version: v.version ?? '', url: given(v.url), material: v.material === 'on', publishedAt: given(v.publishedAt) });
const fieldOf = (path: readonly PropertyKey[]) => (path[0] === 'versions' ? String(path[2] ?? 'version') : undefined);

export function registerDocumentPages(pages: Router, tools: EditTools): void {
  const { deps: { services: { consentRegistry }, csrf }, render, done, notice, audit } = tools;
  const find = async (id: string) => (await consentRegistry.listDocuments()).find((d) => d.id === id);
  const missing = (ctx: Context) => render(ctx, 'errors/error', { title: 'Not found', message: 'There is no such document.' }, 404);

  const listPage = async (ctx: Context, values: FormValues = { required: 'on', material: 'on', version: '1' }, errors: FieldError[] = [], status = 200) => {
    render(ctx, 'admin/edit/documents', {
      title: 'Documents', notice: notice(ctx),
      documents: (await consentRegistry.listDocuments()).map((d) => ({ id: d.id, title: d.title, required: d.required, latest: d.versions[0]?.version ?? '—', count: d.versions.length })),
      form: drawForm('new-document', DOCUMENT_FIELDS, values, errors),
    }, status);
  };
  const documentPage = (ctx: Context, doc: DocumentInfo, values: FormValues = { material: 'on' }, errors: FieldError[] = [], status = 200) => {
    render(ctx, 'admin/edit/document', {
      title: doc.title, notice: notice(ctx), document: { id: doc.id, required: doc.required }, action: `/admin/documents/${doc.id}/versions`,
      versions: doc.versions.map((v) => ({ version: v.version, kind: v.material ? 'material' : 'editorial', publishedAt: shortTime(v.publishedAt), url: v.url, pending: v.publishedAt > new Date() })),
      form: drawForm('publish-version', PUBLISH_FIELDS, values, errors),
    }, status);
  };

  pages.get('/documents', (ctx) => listPage(ctx));
  pages.post('/documents', async (ctx) => {
    const values = formValues(csrf.verifiedForm(ctx), DOCUMENT_FIELDS);
    const { version, url, material } = versionBody(values);
    const checked = checkForm(documentInputSchema, { id: values.id ?? '', title: values.title ?? '', required: values.required === 'on', versions: [{ version, url, material }] }, fieldOf);
    if (!checked.ok) return listPage(ctx, values, checked.errors, 400);
    const created = await consentRegistry.createDocument({ ...checked.value, versions: checked.value.versions.map((v) => ({ ...v, publishedAt: undefined })) });
    if (!created) return listPage(ctx, values, [{ field: 'id', message: `id: a document ${checked.value.id} exists; publish a new version of it instead.` }], 409);
    await audit(ctx, '/admin/documents', { id: created.id });
    done(ctx, `/admin/documents/${created.id}`, 'Document created.');
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
    const values = formValues(form, PUBLISH_FIELDS);
    const checked = checkForm(versionInputSchema, versionBody(values));
    if (!checked.ok) return documentPage(ctx, doc, values, checked.errors, 400);
    const input = checked.value;
    if (input.material && form.get('confirm') !== 'yes') {
      // A material version asks every customer again: say so, and publish only on the confirming post.
      return render(ctx, 'admin/edit/confirm', {
        title: `Publish version ${input.version} of ${doc.title}?`, action: `/admin/documents/${doc.id}/versions`, button: 'Yes, publish it', cancel: `/admin/documents/${doc.id}`,
        text: 'This is a material change: every customer who must accept this document accepts it again before their next sign-in completes. A published version cannot be changed.',
        hidden: Object.entries(values).flatMap(([name, value]) => (value ? [{ name, value }] : [])),
      });
    }
    try {
      await consentRegistry.publishDocumentVersion({ documentId: doc.id, ...input, publishedAt: input.publishedAt === undefined ? undefined : new Date(input.publishedAt) });
    } catch (error) {
      if (error instanceof DocumentVersionExistsError) return documentPage(ctx, doc, values, [{ field: 'version', message: `version: ${input.version} exists; a published version never changes.` }], 409);
      if (error instanceof UnknownDocumentError) return missing(ctx);
      throw error;
    }
    await audit(ctx, '/admin/documents/:id/versions', { id: doc.id, version: input.version });
    done(ctx, `/admin/documents/${doc.id}`, `Version ${input.version} published.`);
  });
}
