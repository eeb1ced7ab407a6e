// Owns the prepared initial embedded database: a PGlite data folder right after initdb, made once outside the
// server's start (at install, or by a short-lived child before the server loads), and copied as the data folder
// of a first start, so that no start runs initdb (its memory peak is PGlite's WebAssembly module run twice over).
// Only initdb is prepared: the migrations run at every start, as on PostgreSQL. Must not import domain or HTTP modules.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const READY_FILE = 'ready.json';

/** The PGlite version installed: a data folder made by one version is a template for that version only. */
export function pgliteVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Where the template for the installed PGlite lives: the project's dependency cache, beside the package it fits. */
export function defaultTemplateDir(): string {
  return join(PROJECT_ROOT, 'node_modules', '.cache', 'foyer', `pglite-${pgliteVersion()}`);
}

interface Ready { pglite: string; files: number; bytes: number }

function tally(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    files += 1;
    bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return { files, bytes };
}

export type TemplateState = { ok: true; pgdata: string } | { ok: false; reason: string };

/** Whether `templateDir` holds a complete template: its record written last, and every file it counted there. */
export function checkTemplate(templateDir: string): TemplateState {
  const pgdata = join(templateDir, 'pgdata');
  let ready: Ready;
  try {
    ready = JSON.parse(readFileSync(join(templateDir, READY_FILE), 'utf8')) as Ready;
  } catch {
    return { ok: false, reason: existsSync(templateDir) ? `the prepared initial database in ${templateDir} is incomplete (no ${READY_FILE})` : `no prepared initial database in ${templateDir}` };
  }
  if (!existsSync(join(pgdata, 'PG_VERSION'))) return { ok: false, reason: `the prepared initial database in ${templateDir} has no PG_VERSION` };
  const found = tally(pgdata);
  if (found.files !== ready.files || found.bytes !== ready.bytes) {
    return { ok: false, reason: `the prepared initial database in ${templateDir} is damaged (${found.files} files, ${found.bytes} bytes; made with ${ready.files} files, ${ready.bytes} bytes)` };
  }
  return { ok: true, pgdata };
}

/**
 * Makes the template in `templateDir` (initdb through PGlite, in this process: call it from a short-lived one).
 * Built beside it and renamed into place, so a reader never sees half of it; other versions' templates go.
 */
export async function makeTemplate(templateDir: string): Promise<void> {
  const { openPglite } = await import('./create-db.ts');
  const parent = dirname(templateDir);
  mkdirSync(parent, { recursive: true });
  const building = join(parent, `.building-${basename(templateDir)}-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'pgdata'), { recursive: true, mode: 0o700 });
  try {
    const pglite = openPglite(join(building, 'pgdata'));
    await pglite.waitReady;
    await pglite.close();
    const ready: Ready = { pglite: pgliteVersion(), ...tally(join(building, 'pgdata')) };
    writeFileSync(join(building, READY_FILE), `${JSON.stringify(ready)}\n`);
    rmSync(templateDir, { recursive: true, force: true });
    renameSync(building, templateDir);
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  for (const entry of readdirSync(parent)) {
    if (entry.startsWith('pglite-') && entry !== basename(templateDir)) rmSync(join(parent, entry), { recursive: true, force: true });
  }
}

/**
 * Makes `pgdataDir` a copy of the template's data folder: copied beside it and renamed into place, so an
 * interrupted copy never looks like a database. A folder already there must be empty (or a database: then nothing).
 */
export function copyTemplate(templatePgdata: string, pgdataDir: string): void {
  if (existsSync(join(pgdataDir, 'PG_VERSION'))) return;
  assertEmptyOrAbsent(pgdataDir);
  const copying = `${pgdataDir}.copying-${process.pid}`;
  rmSync(copying, { recursive: true, force: true });
  try {
    cpSync(templatePgdata, copying, { recursive: true });
    // Never removes more than an empty folder: another process starting on the same folder may have won.
    if (existsSync(pgdataDir)) rmdirSync(pgdataDir);
    renameSync(copying, pgdataDir);
  } catch (error) {
    if (!existsSync(join(pgdataDir, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(copying, { recursive: true, force: true });
  }
}

/** A data folder with files but no database is left by an interrupted first start (or holds something else). */
export function assertEmptyOrAbsent(pgdataDir: string): void {
  if (!existsSync(pgdataDir) || readdirSync(pgdataDir).length === 0) return;
  throw new Error(`the embedded database folder ${pgdataDir} holds files but no database (no PG_VERSION): `
    + 'a first start that was interrupted? Move that folder away (it is not a database) and start again.');
}
