// Owns /admin/api/imports: customer import jobs (the same import as `foyer users import`). The file is the
// request body (JSON lines or CSV), kept in a private temporary file while the job runs in the background;
// the answer is the job at once (202), to be polled for its counts, status and the reason of each rejected row.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from 'koa';
import { IMPORT_FORMATS, type ImportFormat } from '../../accounts/import/sources.ts';
import { importJobJson } from '../../accounts/import/view.ts';
import { AppError } from '../../errors/app-error.ts';
import { IMPORT_JOB_CURSOR, IMPORT_JOB_STATUSES, IMPORT_REJECTION_CURSOR } from '../../accounts/import/queries.ts';
import { cursorParam, filters, listSpec } from '../list-query.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';

/** The largest file the API takes (the `foyer` command takes any). */
export const MAX_IMPORT_BYTES = 4 * 1024 * 1024 * 1024;
const TYPES: Record<string, ImportFormat> = { 'application/x-ndjson': 'jsonl', 'application/jsonl': 'jsonl', 'application/jsonlines': 'jsonl', 'text/csv': 'csv' };

function formatOf(ctx: Context): ImportFormat {
  const asked = ctx.query.format;
  if (typeof asked === 'string') {
    if (!(IMPORT_FORMATS as readonly string[]).includes(asked)) throw new AppError('request.invalid', `format: "${asked.slice(0, 40)}" is not one of ${IMPORT_FORMATS.join(', ')}`, 400);
    return asked as ImportFormat;
  }
  const format = TYPES[String(ctx.request.type)];
  if (!format) throw new AppError('request.unsupported_type', `Send the file as ${Object.keys(TYPES).join(' or ')} (or say ?format=jsonl|csv).`, 415);
  return format;
}

/** The request body into a file only this process's user can read; 413 past the limit. */
async function spool(ctx: Context, file: string): Promise<number> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > MAX_IMPORT_BYTES) throw new AppError('request.too_large', `The file is larger than ${MAX_IMPORT_BYTES} bytes: import it with the foyer command.`, 413);
  let size = 0;
  await pipeline(ctx.req, new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      done(size > MAX_IMPORT_BYTES ? new AppError('request.too_large', `The file is larger than ${MAX_IMPORT_BYTES} bytes: import it with the foyer command.`, 413) : null, chunk);
    },
  }), createWriteStream(file, { mode: 0o600 }));
  return size;
}

/** GET /imports: newest first. */
const importList = listSpec({ status: filters.oneOf(IMPORT_JOB_STATUSES, 'Only imports in this state') });
/** GET /imports/{id}/rejections: by line. */
const rejectionList = listSpec({});

const job = {
  type: 'object',
  properties: {
    id: { type: 'string' }, status: { enum: ['running', 'finished', 'failed'] }, format: { enum: [...IMPORT_FORMATS] },
    actor: { type: 'string', description: 'cli:<OS user> or client:<admin API client>' },
    rows: { type: 'integer', description: 'Rows read so far' }, created: { type: 'integer' }, updated: { type: 'integer' }, unchanged: { type: 'integer' }, rejected: { type: 'integer' },
    bytes_read: { type: 'integer' }, bytes_total: { type: ['integer', 'null'] }, error: { type: ['string', 'null'], description: 'Why a failed job stopped; rows before it were imported' },
    created_at: { type: 'string', format: 'date-time' }, updated_at: { type: 'string', format: 'date-time' }, finished_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const importsSection: AdminSection = {
  id: 'imports',
  routes(router, { services: { customerImport, log } }) {
    const notFound = () => new AppError('import.not_found', 'There is no such import.', 404);
    router.post('/imports', async (ctx) => {
      const format = formatOf(ctx);
      const dir = await mkdtemp(join(tmpdir(), 'foyer-import-'));
      const file = join(dir, `${randomUUID()}.${format}`);
      const cleanup = () => rm(dir, { recursive: true, force: true });
      let size: number;
      try {
        size = await spool(ctx, file);
      } catch (error) {
        await cleanup();
        throw error;
      }
      const started = await customerImport.startImport({ input: createReadStream(file), format, actor: `client:${String(ctx.state.adminClientId)}`, bytesTotal: size, cleanup });
      log.info({ job: started.id, format, bytes: size, by: ctx.state.adminClientId }, 'admin API: customer import started');
      ctx.status = 202;
      ctx.set('Location', `/admin/api/imports/${started.id}`);
      ctx.body = importJobJson(started);
    });
    router.get('/imports', async (ctx) => {
      const query = importList.read(ctx);
      const found = await customerImport.listJobs({ limit: query.limit, cursor: cursorParam(query.cursor, IMPORT_JOB_CURSOR), status: query.status });
      ctx.body = { imports: found.jobs.map(importJobJson), next_cursor: found.next };
    });
    router.get('/imports/:id', async (ctx) => {
      const found = await customerImport.findJob(idParam(ctx, 'id', 'import'));
      if (!found) throw notFound();
      ctx.body = importJobJson(found);
    });
    router.get('/imports/:id/rejections', async (ctx) => {
      const found = await customerImport.findJob(idParam(ctx, 'id', 'import'));
      if (!found) throw notFound();
      // The earlier `after` is refused, not ignored: ignoring it would hand its callers the first page for ever.
      if (ctx.query.after !== undefined) throw new AppError('request.invalid', 'after: replaced by cursor (the next_cursor of the previous page)', 400);
      const query = rejectionList.read(ctx);
      const cursor = cursorParam(query.cursor, IMPORT_REJECTION_CURSOR);
      if (cursor && cursor.id !== found.id) throw new AppError('request.invalid', 'cursor: not a cursor this list gave (it belongs to another import)', 400);
      const page = await customerImport.listRejections(found.id, { limit: query.limit, cursor });
      ctx.body = { rejections: page.rejections, next_cursor: page.next };
    });
  },
  openapi() {
    const { json, errors, notFound, pathParams } = openApi;
    const ref = { $ref: '#/components/schemas/ImportJob' };
    const file = { type: 'string', description: 'The file: one JSON object per line, or CSV with a header row (dotted columns nest: profile.given_name, identities.google)' };
    return {
      schemas: { ImportJob: job },
      paths: {
        '/imports': {
          post: {
            summary: 'Import customers (with their password hashes, profile values, verified flags and social identities) from a file; the job runs in the background',
            parameters: [{ name: 'format', in: 'query', required: false, schema: { enum: [...IMPORT_FORMATS] }, description: 'When the content type does not say it' }],
            requestBody: { required: true, content: { 'application/x-ndjson': { schema: file }, 'text/csv': { schema: file } } },
            responses: {
              202: { description: 'Started: poll the job (Location)', ...json(ref) }, ...errors,
              413: { description: 'The file is too large for the API (the foyer command takes any)', ...openApi.problemContent },
              415: { description: 'Not JSON lines or CSV', ...openApi.problemContent },
            },
          },
          get: {
            summary: 'Imports, newest first, paged',
            parameters: importList.parameters,
            responses: { 200: { description: 'A page of imports', ...json({ type: 'object', properties: { imports: { type: 'array', items: ref }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors },
          },
        },
        '/imports/{id}': {
          parameters: pathParams('id'),
          get: { summary: 'An import: status and counts so far', responses: { 200: { description: 'The import', ...json(ref) }, ...notFound('import'), ...errors } },
        },
        '/imports/{id}/rejections': {
          parameters: pathParams('id'),
          get: {
            summary: 'The rows an import refused, by line, each with its reason (nothing of a refused row was written), paged',
            parameters: rejectionList.parameters,
            responses: {
              200: {
                description: 'A page of rejections',
                ...json({ type: 'object', properties: { rejections: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, reason: { type: 'string' } } } }, next_cursor: openApi.nextCursor } }),
              },
              ...notFound('import'), ...errors,
            },
          },
        },
      },
    };
  },
};
