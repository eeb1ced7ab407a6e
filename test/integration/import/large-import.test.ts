// 100,000 customers through `foyer users import` in a child process whose JavaScript heap is capped at
// HEAP_MB (--max-old-space-size): the file streams through in batches of 500, so the import needs no more
// memory for 100,000 rows than for 10; holding the 13 MB file's rows as objects would not fit under the cap.
// The child's peak resident memory (VmHWM, read from /proc while it runs) is the bound stated: under RSS_MB
// on PostgreSQL. On the embedded database the process also holds PGlite, whose WebAssembly memory grows with
// the data it holds (about 1 GB at 100,000 customers here): that is the database's, not the import's, so there
// the bound is the heap cap. Rows carry a bcrypt hash (an import stores hashes as they are and computes none, so
// their cost does not matter), an email and a verified flag: the least a real row has, which keeps the test short.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, createPgDatabase, newSecret, NODE, projectRoot, removeDir, tempDir, type FoyerEnv } from '../../support/cli.ts';

const ROWS = 100_000;
const HEAP_MB = 96;
const RSS_MB = 256;
const root = tempDir('foyer-large-');
let target: FoyerEnv;
let database: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
const HASH = '$2b$04$HBH3HB.yHCLqbTStSCTXLOhCj3oq8YBLOrn3/M.NXeCNnel5dfRnW';

beforeAll(async () => {
  database = process.env.DATABASE_URL ? await createPgDatabase() : undefined;
  target = { dataDir: join(root, 'data'), databaseUrl: database?.url, secret: newSecret() };
});
afterAll(async () => {
  await database?.drop();
  removeDir(root);
});

async function writeRows(path: string, count: number, from = 0): Promise<void> {
  const out = createWriteStream(path);
  for (let i = from; i < from + count; i += 1) {
    const line = `${JSON.stringify({ email: `c${String(i).padStart(7, '0')}@example.com`, email_verified: i % 2 === 0, password_hash: HASH })}\n`;
    if (!out.write(line)) await new Promise((resolve) => out.once('drain', resolve));
  }
  out.end();
  await new Promise((resolve) => out.once('close', resolve));
}

/** Runs `foyer users import FILE --json`, sampling the child's peak resident memory (kB) from /proc. */
function importMeasured(file: string): Promise<{ code: number | null; job: Record<string, unknown>; peakMb: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...childEnv(target), NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` };
    const child = spawn(NODE, ['src/cli/foyer.ts', 'users', 'import', file, '--json'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const sample = () => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
      } catch { /* the process has just ended */ }
    };
    const timer = setInterval(sample, 50);
    child.on('error', reject);
    child.on('exit', () => sample());
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code, job: stdout ? JSON.parse(stdout) as Record<string, unknown> : {}, peakMb: peakKb / 1024, stderr });
    });
  });
}

describe('a large import', { timeout: 900_000 }, () => {
  it(`imports ${ROWS} rows under a ${HEAP_MB} MB heap, the process's resident memory under ${RSS_MB} MB on PostgreSQL`, async () => {
    const file = join(root, 'large.jsonl');
    await writeRows(file, ROWS);
    const result = await importMeasured(file);
    expect(result.code, result.stderr).toBe(0);
    expect(result.job).toMatchObject({ status: 'finished', rows: ROWS, created: ROWS, rejected: 0 });
    console.info(`import of ${ROWS} rows: peak resident memory ${result.peakMb.toFixed(0)} MB (${database ? 'PostgreSQL' : 'embedded database in the process'})`);
    if (database) expect(result.peakMb).toBeLessThan(RSS_MB);
  });
});
