// Owns the first start of the embedded database: initdb and the migrations run in a short-lived child process,
// so their memory peak (initdb runs PGlite twice over, beside its own WebAssembly module) goes back to the OS
// when the child exits, and the server opens a ready data folder. Must not import domain or HTTP modules.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./prepare-embedded-child.ts', import.meta.url));
// The parent's V8 memory and WebAssembly settings hold for the child; nothing else of its command line
// (--watch, --inspect) should.
const INHERITED_FLAG = /^--(no-)?(liftoff|wasm|max-old-space-size|max-semi-space-size)/;

/** Creates and migrates the embedded database in `pgdataDir` in a child process, unless it exists already. */
export async function prepareEmbeddedDatabase(pgdataDir: string): Promise<void> {
  if (existsSync(join(pgdataDir, 'PG_VERSION'))) return;
  const flags = process.execArgv.filter((flag) => INHERITED_FLAG.test(flag));
  const child = spawn(process.execPath, [...flags, CHILD, pgdataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`preparing the embedded database failed: ${stderr.trim().split('\n').pop() ?? `exit code ${code}`}`);
}
