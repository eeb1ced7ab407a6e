// Where the embedded database's first-start memory goes, step by step in one process, with its resident set,
// its peak (VmHWM), the V8 heap and PGlite's WebAssembly memory after each. Two runs, each in its own process:
// - `install`: making the prepared initial database (initdb through PGlite: what npm's postinstall does, and the
//   short-lived child of a first start when install scripts were skipped);
// - `start`: what a first start does with it — the data folder copied from it, opened, migrated.
// Started by bench/memory.ts with the flags of `npm start`; prints one JSON line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, openPglite } from '../src/db/create-db.ts';
import { checkTemplate, copyTemplate, defaultTemplateDir, makeTemplate } from '../src/db/embedded-template.ts';
import { migrateLatest } from '../src/db/migrate.ts';

export interface Phase { phase: string; rssMb: number; hwmMb: number; heapMb: number; wasmMb?: number }

const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);

function phase(name: string, wasmBytes?: number): Phase {
  return { phase: name, rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, heapMb: process.memoryUsage().heapUsed / 1048576, ...(wasmBytes === undefined ? {} : { wasmMb: wasmBytes / 1048576 }) };
}

/** The WebAssembly memory PGlite's module holds (not a public API: undefined when it is not where it was). */
const wasmBytes = (pglite: unknown): number | undefined => (pglite as { mod?: { HEAPU8?: Uint8Array } }).mod?.HEAPU8?.byteLength;

async function main(mode: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-first-start-'));
  const phases: Phase[] = [phase('node started')];
  try {
    await import('@electric-sql/pglite');
    phases.push(phase('PGlite module loaded'));
    if (mode === 'install') {
      await makeTemplate(join(dir, 'template'));
      phases.push(phase('initdb done, template saved'));
    } else {
      const template = checkTemplate(defaultTemplateDir());
      if (!template.ok) throw new Error(`${template.reason} (npm ci makes it)`);
      copyTemplate(template.pgdata, join(dir, 'pgdata'));
      phases.push(phase('data folder copied from the template'));
      const pglite = openPglite(join(dir, 'pgdata'));
      await pglite.waitReady;
      phases.push(phase('database open', wasmBytes(pglite)));
      const handle = createDb({ pglite });
      await migrateLatest(handle.db);
      phases.push(phase('migrations done', wasmBytes(pglite)));
      await handle.close();
      phases.push(phase('closed'));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(phases)}\n`);
}

await main(process.argv[2] ?? 'start');
