// Owns /admin/api/documents: the documents customers accept (terms, policies) and their versions. Publishing
// is `foyer documents publish`: a material version is accepted again at the next sign-in, an editorial one is not.
import { z } from 'zod';
import { documentVersionSchema } from '../../config/consent-schema.ts';
import { DocumentVersionExistsError, UnknownDocumentError, type DocumentInfo, type DocumentVersionInfo } from '../../consent/registry/registry.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { filters, listSpec, matches, pageOfList } from '../list-query.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';

const versionJson = (v: DocumentVersionInfo) => ({ version: v.version, url: v.url, material: v.material, publishedAt: v.publishedAt.toISOString() });
const documentJson = (d: DocumentInfo) => ({ id: d.id, title: d.title, required: d.required, versions: d.versions.map(versionJson) });

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
    router.post('/documents/:id/versions', async (ctx) => {
      const documentId = idParam(ctx, 'id', 'document');
      const input = jsonBody(ctx, documentVersionSchema.strict());
      try {
        const published = await consentRegistry.publishDocumentVersion({ documentId, ...input, publishedAt: input.publishedAt === undefined ? undefined : new Date(input.publishedAt) });
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
        DocumentVersionInput: z.toJSONSchema(documentVersionSchema.strict(), { io: 'input', unrepresentable: 'any' }),
      },
      paths: {
        '/documents': {
          get: { summary: 'The documents customers accept, each with its versions; by id, paged', parameters: documentList.parameters, responses: { 200: { description: 'A page of documents', ...json({ type: 'object', properties: { documents: { type: 'array', items: { $ref: '#/components/schemas/Document' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors } },
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
