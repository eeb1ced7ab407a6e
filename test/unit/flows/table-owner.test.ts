// Only the flows store touches the flows table (dependency-cruiser sees imports, not SQL table names): any
// other module under src/ naming the table as a string literal fails here, listed by file and line.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const OWNER = 'src/flows/store.ts';
const TABLE_LITERAL = /(['"`])flows\1/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?[jt]s$/.test(entry.name) ? [path] : [];
  });
}

/** `file:line: text` for every line of src/ (but the store) naming the flows table. */
export function tableReferences(files: string[]): string[] {
  return files.flatMap((file) => {
    const name = relative(ROOT, file).split('\\').join('/');
    if (name === OWNER) return [];
    return readFileSync(file, 'utf8').split('\n').flatMap((line, i) => (TABLE_LITERAL.test(line) ? [`${name}:${i + 1}: ${line.trim()}`] : []));
  });
}

describe('the flows table has one owner', () => {
  it('is named only in src/flows/store.ts (and the migrations)', () => {
    expect(tableReferences(sourceFiles(join(ROOT, 'src')))).toEqual([]);
  });

  it('catches a reference written with any quote', () => {
    expect(TABLE_LITERAL.test("db('flows')")).toBe(true);
    expect(TABLE_LITERAL.test('trx("flows").where()')).toBe(true);
    expect(TABLE_LITERAL.test('DELETE FROM `flows`')).toBe(true);
    expect(TABLE_LITERAL.test("kind: 'flows_total'")).toBe(false);
  });
});
