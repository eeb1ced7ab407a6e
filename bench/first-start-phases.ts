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

export interface Phase { phase: string; rssMb: number; hwmMb: number; heapMb: number; wasmMb?: number; wasmResidentMb?: number }

const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN);

/**
 * How much of a WebAssembly memory of `bytes` is resident: V8 reserves several GB for it and makes its current size
 * readable and writable, so it is the read-write anonymous mapping of exactly that size followed by the rest of the
 * reservation (inaccessible). Its size is what PGlite asked for; only the pages PostgreSQL touched count in RSS.
 */
function residentKb(bytes: number): number | undefined {
  const maps: { start: bigint; end: bigint; perms: string; path: string; rssKb: number }[] = [];
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) maps.push({ start: BigInt(`0x${head[1]}`), end: BigInt(`0x${head[2]}`), perms: head[3]!, path: head[4]!, rssKb: 0 });
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && maps.length) maps.at(-1)!.rssKb = Number(rss[1]);
  }
  const found = maps.find((m, i) => m.perms === 'rw-p' && !m.path && m.end - m.start === BigInt(bytes) && maps[i + 1]?.start === m.end && maps[i + 1]?.perms === '---p');
  return found?.rssKb;
}

function phase(name: string, wasmBytes?: number): Phase {
  const resident = wasmBytes === undefined ? undefined : residentKb(wasmBytes);
  return {
    phase: name, rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, heapMb: process.memoryUsage().heapUsed / 1048576,
    ...(wasmBytes === undefined ? {} : { wasmMb: wasmBytes / 1048576 }),
    ...(resident === undefined ? {} : { wasmResidentMb: resident / 1024 }),
  };
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
