// Owns /admin/api/documents: the documents customers accept (terms, policies) and their versions. Publishing
// (also `foyer documents publish`): a material version is accepted again at the next sign-in, an editorial one is not.
import { z } from 'zod';
import { documentSchema, documentVersionSchema } from '../../config/consent-schema.ts';
import { DocumentVersionExistsError, UnknownDocumentError, type DocumentInfo, type DocumentVersionInfo } from '../../consent/registry/registry.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { filters, listSpec, matches, pageOfList } from '../list-query.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';

/** A new document with its first version(s); the same body as a `consent.documents` entry of the config file. */
export const documentInputSchema = documentSchema.strict();
/** A version to publish. */
export const versionInputSchema = documentVersionSchema.strict();
const when = (publishedAt: string | undefined) => (publishedAt === undefined ? undefined : new Date(publishedAt));

export const versionJson = (v: DocumentVersionInfo) => ({ version: v.version, url: v.url, material: v.material, publishedAt: v.publishedAt.toISOString() });
export const documentJson = (d: DocumentInfo) => ({ id: d.id, title: d.title, required: d.required, versions: d.versions.map(versionJson) });

/** GET /documents: by id. */
const documentList = listSpec({
  q: filters.text('Part of the document id or title (any case)'),
  required: filters.flag('Only documents every customer must accept (true), or only the others (false)'),
});

const version = {
  type: 'object',
  properties: { version: { type: 'string' }, url: { type: ['string', 'null'], format: 'uri' }, material: { type: 'boolean' }, publishedAt: { type: 'string', format: 'date-time' } },
} as const;

export const documentsSection: AdminSection = {
  id: 'documents',
  routes(router, { services: { consentRegistry } }) {
    router.get('/documents', async (ctx) => {
      const query = documentList.read(ctx);
      const found = (await consentRegistry.listDocuments()).filter((d) => matches(query.q, d.id, d.title) && (query.required === undefined || d.required === query.required));
      const page = pageOfList(found, (d) => ({ key: '', id: d.id }), query);
      ctx.body = { documents: page.items.map(documentJson), next_cursor: page.next_cursor };
    });
    router.post('/documents', async (ctx) => {
      const input = jsonBody(ctx, documentInputSchema);
      const created = await consentRegistry.createDocument({ ...input, versions: input.versions.map((v) => ({ ...v, publishedAt: when(v.publishedAt) })) });
      if (!created) throw new AppError('document.exists', `A document with id ${input.id} exists.`, 409);
      ctx.status = 201;
      ctx.set('Location', `/admin/api/documents/${created.id}`);
      ctx.body = documentJson(created);
    });
    router.get('/documents/:id', async (ctx) => {
      const id = idParam(ctx, 'id', 'document');
      const found = (await consentRegistry.listDocuments()).find((d) => d.id === id);
      if (!found) throw new AppError('document.not_found', 'There is no such document.', 404);
      ctx.body = documentJson(found);
    });
    router.post('/documents/:id/versions', async (ctx) => {
      const documentId = idParam(ctx, 'id', 'document');
      const input = jsonBody(ctx, versionInputSchema);
      try {
        const published = await consentRegistry.publishDocumentVersion({ documentId, ...input, publishedAt: when(input.publishedAt) });
        ctx.status = 201;
        ctx.body = { document: documentId, ...versionJson(published) };
      } catch (error) {
        if (error instanceof UnknownDocumentError) throw new AppError('document.not_found', 'There is no such document.', 404);
        if (error instanceof DocumentVersionExistsError) throw new AppError('document.version_exists', `${error.message}.`, 409);
        throw error;
      }
    });
  },
  openapi() {
    const { json, errors, notFound, pathParams } = openApi;
    return {
      schemas: {
        Document: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, required: { type: 'boolean' }, versions: { type: 'array', items: { $ref: '#/components/schemas/DocumentVersion' }, description: 'Newest first' } } },
        DocumentVersion: version,
        DocumentVersionInput: z.toJSONSchema(versionInputSchema, { io: 'input', unrepresentable: 'any' }),
        DocumentInput: z.toJSONSchema(documentInputSchema, { io: 'input', unrepresentable: 'any' }),
      },
      paths: {
        '/documents': {
          get: { summary: 'The documents customers accept, each with its versions; by id, paged', parameters: documentList.parameters, responses: { 200: { description: 'A page of documents', ...json({ type: 'object', properties: { documents: { type: 'array', items: { $ref: '#/components/schemas/Document' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors } },
          post: {
            summary: 'Create a document with its first version(s)',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/DocumentInput' }) },
            responses: { 201: { description: 'Created', ...json({ $ref: '#/components/schemas/Document' }) }, 409: { description: 'That id is taken', ...json(openApi.error) }, ...errors },
          },
        },
        '/documents/{id}': {
          parameters: pathParams('id'),
          get: { summary: 'One document with its versions, newest first', responses: { 200: { description: 'The document', ...json({ $ref: '#/components/schemas/Document' }) }, ...notFound('document'), ...errors } },
        },
        '/documents/{id}/versions': {
          parameters: pathParams('id'),
          post: {
            summary: 'Publish a version (now, or at publishedAt): material ones are accepted again at the next sign-in, editorial ones (material false) are not; a version never changes',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/DocumentVersionInput' }) },
            responses: {
              201: { description: 'Published', ...json({ allOf: [{ type: 'object', properties: { document: { type: 'string' } } }, { $ref: '#/components/schemas/DocumentVersion' }] }) },
              ...notFound('document'), 409: { description: 'That version exists', ...openApi.problemContent }, ...errors,
            },
          },
        },
      },
    };
  },
};
