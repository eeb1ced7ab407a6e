// Owns the first start of the embedded database: the data folder is a copy of the prepared initial database
// (embedded-template.ts), so no start runs initdb. When that template is missing (install scripts skipped) or
// damaged, a short-lived child process makes it first, so that initdb's memory peak goes back to the OS when the
// child exits; `npm start` does this before it loads the server's modules. The migrations then run in the server,
// as on every start. Must not import domain or HTTP modules.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertEmptyOrAbsent, checkTemplate, copyTemplate, defaultTemplateDir } from './embedded-template.ts';

const CHILD = fileURLToPath(new URL('./make-embedded-template.ts', import.meta.url));
// The parent's V8 memory and WebAssembly settings hold for the child; nothing else of its command line
// (--watch, --inspect) should.
const INHERITED_FLAG = /^--(no-)?(liftoff|wasm|max-old-space-size|max-semi-space-size)/;

export interface PrepareOptions {
  /** Where the prepared initial database is (default: the project's dependency cache). */
  templateDir?: string;
  /** Told why the template had to be made now. */
  warn?: (message: string) => void;
}

/** Makes the template in `templateDir` in a child process; rejects with the child's last line of stderr. */
export async function makeTemplateInChild(templateDir: string): Promise<void> {
  const flags = process.execArgv.filter((flag) => INHERITED_FLAG.test(flag));
  const child = spawn(process.execPath, [...flags, CHILD, templateDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`preparing the embedded database failed: ${stderr.trim().split('\n').pop() ?? `exit code ${code}`}`);
}

/** Makes `pgdataDir` a new embedded database (not yet migrated), unless it is one already. */
export async function prepareEmbeddedDatabase(pgdataDir: string, options: PrepareOptions = {}): Promise<void> {
  if (existsSync(join(pgdataDir, 'PG_VERSION'))) return;
  assertEmptyOrAbsent(pgdataDir);
  const templateDir = options.templateDir ?? defaultTemplateDir();
  let state = checkTemplate(templateDir);
  if (!state.ok) {
    options.warn?.(`${state.reason}: making it now, once (installing with npm ci makes it ahead)`);
    try {
      await makeTemplateInChild(templateDir);
      state = checkTemplate(templateDir);
    } catch (error) {
      state = { ok: false, reason: (error as Error).message };
    }
  }
  if (state.ok) return copyTemplate(state.pgdata, pgdataDir);
  // The shared template could not be made there (a read-only install, say): one for this folder alone.
  options.warn?.(`${state.reason}: preparing this data folder on its own`);
  const own = `${pgdataDir}.initdb-${process.pid}`;
  try {
    await makeTemplateInChild(own);
    const made = checkTemplate(own);
    if (!made.ok) throw new Error(`preparing the embedded database failed: ${made.reason}`);
    copyTemplate(made.pgdata, pgdataDir);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
}
