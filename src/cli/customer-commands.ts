// Owns `foyer users import FILE` and `foyer users export --format jsonl`: the bulk customer import and export
// (src/accounts/import). The file streams in (from disk, or over the control socket when the server holds the
// embedded database) and the export streams out, so neither is ever held whole in memory.
import { userInfo } from 'node:os';
import { extname } from 'node:path';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { ImportJob } from '../accounts/import/queries.ts';
import { importJobJson } from '../accounts/import/view.ts';
import { IMPORT_FORMATS, type ImportFormat } from '../accounts/import/sources.ts';
import type { Services } from '../compose.ts';
import { AppError } from '../errors/app-error.ts';

/** The import file as it streams in; `size` when known (a progress bar's 100%). */
export interface ImportSource {
  stream: Readable;
  size: number | null;
}

/** How many rejected rows the command lists (all of them are in the job's record: the admin API pages them). */
export const LISTED_REJECTIONS = 1000;

const usage = (message: string) => new AppError('usage', message, 400);

function options(args: string[]) {
  try {
    return parseArgs({ args, options: { format: { type: 'string' }, output: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage((error as Error).message);
  }
}

/** The format asked for, else the file's extension's, else JSON lines. */
export function importFormatOf(file: string, asked: string | undefined): ImportFormat {
  if (asked !== undefined) {
    if (!(IMPORT_FORMATS as readonly string[]).includes(asked)) throw usage(`--format: "${asked}" is not one of ${IMPORT_FORMATS.join(', ')}`);
    return asked as ImportFormat;
  }
  return extname(file).toLowerCase() === '.csv' ? 'csv' : 'jsonl';
}

/** The FILE of `users import FILE [--format F]` (the rest of the arguments after the command's two words). */
export function importFileOf(args: string[]): string {
  const { positionals } = options(args);
  if (positionals.length !== 1) throw usage('users import needs one FILE (JSON lines, or CSV with a header row)');
  return positionals[0]!;
}

function summary(job: ImportJob, rejections: { line: number; reason: string }[]) {
  const counts = `${job.rowsRead} rows: ${job.created} created, ${job.updated} updated, ${job.unchanged} unchanged, ${job.rejected} rejected`;
  const lines = [`import ${job.id} ${job.status === 'finished' ? 'finished' : 'stopped'}: ${counts}`];
  if (job.error) lines.push(job.error);
  if (rejections.length) lines.push('rejected rows:', ...rejections.map((r) => `  line ${r.line}: ${r.reason}`));
  if (job.rejected > rejections.length) lines.push(`  … and ${job.rejected - rejections.length} more (GET /admin/api/imports/${job.id}/rejections)`);
  return lines.join('\n');
}

export async function importCustomers(args: string[], services: Services, source: ImportSource | undefined) {
  const format = importFormatOf(importFileOf(args), options(args).values.format);
  if (!source) throw usage('users import reads its FILE from the foyer command (it streams it to the server)');
  const job = await services.customerImport.runImport({ input: source.stream, format, actor: `cli:${userInfo().username}`, bytesTotal: source.size });
  const { rejections } = await services.customerImport.listRejections(job.id, { limit: LISTED_REJECTIONS });
  if (job.status === 'failed') throw new AppError('import.failed', `import ${job.id} stopped after ${job.rowsRead} rows: ${job.error ?? 'unknown error'}`, 500, true);
  return { json: { ...importJobJson(job), rejections }, text: summary(job, rejections) };
}

/** Writes every customer as a JSON line to `sink`, waiting whenever it is full. */
/** The bulk export's format (jsonl, the import's); checked before anything is opened. */
export function exportFormatOf(args: string[]): 'jsonl' {
  if (options(args).values.format !== 'jsonl') throw usage('--format: the bulk export writes jsonl (users export EMAIL is one customer\'s privacy export)');
  return 'jsonl';
}

export async function exportCustomers(args: string[], services: Services, sink: Writable | undefined) {
  exportFormatOf(args);
  if (!sink) throw usage('users export --format jsonl writes through the foyer command');
  let count = 0;
  for await (const row of services.customerExport.exportRows()) {
    if (!sink.write(`${JSON.stringify(row)}\n`)) await once(sink, 'drain');
    count += 1;
  }
  return count;
}
