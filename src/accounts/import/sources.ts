// Owns reading an import file as it streams in: JSON lines (one object per line) or CSV (a header row; dotted
// column names nest, e.g. profile.given_name). Memory stays bounded whatever the file's size: one line or
// record at a time, each at most MAX_ROW_BYTES. Each row comes with its line number and how far the file was read.
import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';

export type ImportFormat = 'jsonl' | 'csv';
export const IMPORT_FORMATS: readonly ImportFormat[] = ['jsonl', 'csv'];
export const MAX_ROW_BYTES = 1024 * 1024;

export interface SourceRow {
  line: number;
  value?: unknown;
  problem?: string;
  /** Bytes of the file consumed when this row was read. */
  bytesRead: number;
}

/** The file is not UTF-8 text at some point: rows before it were read, nothing after. */
export class ImportFileError extends Error {}

const utf8 = () => new TextDecoder('utf-8', { fatal: true });

/** JSON lines: a row per non-blank line; a line that is not a JSON object, not UTF-8 or too long is refused alone. */
export async function* readJsonLines(input: Readable): AsyncGenerator<SourceRow> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let line = 0;
  let bytesRead = 0;
  function finishLine(): SourceRow | undefined {
    line += 1;
    const bytes = Buffer.concat(pending);
    const wasTooLong = tooLong;
    pending = [];
    pendingBytes = 0;
    tooLong = false;
    if (wasTooLong) return { line, problem: `the line is longer than ${MAX_ROW_BYTES} bytes`, bytesRead };
    let text: string;
    try {
      text = utf8().decode(bytes).replace(/\r$/, '');
    } catch {
      return { line, problem: 'the line is not valid UTF-8', bytesRead };
    }
    if (text.trim() === '') return undefined;
    if (line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    try {
      return { line, value: JSON.parse(text) as unknown, bytesRead };
    } catch {
      return { line, problem: 'not valid JSON', bytesRead };
    }
  }
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      const end = newline === -1 ? chunk.length : newline;
      bytesRead += end - start + (newline === -1 ? 0 : 1);
      if (!tooLong) {
        pendingBytes += end - start;
        if (pendingBytes > MAX_ROW_BYTES) {
          tooLong = true;
          pending = [];
        } else if (end > start) pending.push(chunk.subarray(start, end));
      }
      if (newline === -1) break;
      const row = finishLine();
      if (row) yield row;
      start = newline + 1;
    }
  }
  if (pendingBytes > 0 || tooLong) {
    const row = finishLine();
    if (row) yield row;
  }
}

/** Counts the bytes that pass and refuses text that is not UTF-8 (a CSV record may span lines, so this is file-wide). */
async function* checkedText(input: Readable, counter: { bytes: number }): AsyncGenerator<string> {
  const decoder = utf8();
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      counter.bytes += chunk.length;
      yield decoder.decode(chunk, { stream: true });
    }
    yield decoder.decode();
  } catch (error) {
    if (error instanceof TypeError) throw new ImportFileError(`the file is not valid UTF-8 (near byte ${counter.bytes}); rows before that point were read`);
    throw error;
  }
}

const JSON_COLUMNS = /^(credentials|custom_password_hash|identities|profile)$|^profile\./;

/** A CSV record as the row object: dotted names nest, empty cells are absent, JSON in object-valued cells is read. */
function nest(record: Record<string, string>): { value: Record<string, unknown> } | { problem: string } {
  const value: Record<string, unknown> = {};
  for (const [column, cell] of Object.entries(record)) {
    if (cell === '') continue;
    let parsed: unknown = cell;
    if (JSON_COLUMNS.test(column) && /^\s*[[{]/.test(cell)) {
      try {
        parsed = JSON.parse(cell) as unknown;
      } catch {
        return { problem: `${column}: not valid JSON` };
      }
    }
    const path = column.split('.');
    let node = value;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next !== undefined && (typeof next !== 'object' || next === null || Array.isArray(next))) return { problem: `column ${column} conflicts with column ${part}` };
      node = (next as Record<string, unknown> | undefined) ?? (node[part] = {}) as Record<string, unknown>;
    }
    node[path.at(-1)!] = parsed;
  }
  return { value };
}

/** CSV with a header row; a record with the wrong number of cells (or malformed quoting) is refused alone. */
export async function* readCsv(input: Readable): AsyncGenerator<SourceRow> {
  const counter = { bytes: 0 };
  const skipped: SourceRow[] = [];
  const parser = parseCsv({
    columns: (header: string[]) => header.map((h) => h.trim()), bom: true, skip_empty_lines: true, info: true,
    max_record_size: MAX_ROW_BYTES, skip_records_with_error: true,
    on_skip: (error) => {
      skipped.push({ line: Number(error?.lines ?? 0), problem: `malformed CSV (${error?.message ?? 'unreadable record'})`, bytesRead: counter.bytes });
      return undefined;
    },
  });
  const feeding = (async () => {
    try {
      for await (const text of checkedText(input, counter)) {
        if (parser.destroyed) return;
        if (!parser.write(text)) await new Promise((resolve) => parser.once('drain', resolve).once('close', resolve));
      }
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      while (skipped.length) yield skipped.shift()!;
      const nested = nest(record);
      yield { line: info.lines, ...('problem' in nested ? { problem: nested.problem } : { value: nested.value }), bytesRead: counter.bytes };
    }
    while (skipped.length) yield skipped.shift()!;
    await feeding;
  } finally {
    // Stopped early (an aborted import): let go of the file and the parser.
    if (!parser.destroyed) parser.destroy();
    if (!input.destroyed) input.destroy();
  }
}

export function readImportFile(input: Readable, format: ImportFormat): AsyncGenerator<SourceRow> {
  return format === 'csv' ? readCsv(input) : readJsonLines(input);
}
