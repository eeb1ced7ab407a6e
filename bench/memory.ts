// `npm run bench:memory`: the resident memory of `npm start` on the embedded database (Linux: /proc), on a
// fresh data folder (copied from the prepared initial database, migrations included) and again on the folder it left: the peak during the
// start (VmHWM), the peak under a short light load, and the resident set once idle. On PostgreSQL too when
// BENCH_DATABASE_URL (or DATABASE_URL) is set. Prints a table; exits 1 only when a server could not start.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childrenRssKb, statusKb } from './children.ts';
import { baseEnv, freePort, projectRoot, startArguments } from './foyer.ts';
import { newAgent, request } from './http.ts';
import { createScratchDatabase } from '../test/support/scratch.ts';
import type { Phase } from './first-start-phases.ts';

const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS) || 10;
const LOAD_REQUESTS = Number(process.env.BENCH_LOAD_REQUESTS) || 2000;

interface Measurement { label: string; startMs: number; startPeakMb: number; treePeakMb: number; idleMb: number; loadPeakMb: number }

const mb = (kb: number | undefined) => (kb ?? Number.NaN) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


async function measure(label: string, env: NodeJS.ProcessEnv): Promise<Measurement> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const began = performance.now();
  const child = spawn(process.execPath, startArguments(), { cwd: projectRoot, env: { ...env, PORT: String(port), ISSUER: issuer, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const pid = child.pid!;
  let peakKb = 0;
  let treePeakKb = 0;
  const sampler = setInterval(() => {
    const own = statusKb(pid, 'VmRSS') ?? 0;
    peakKb = Math.max(peakKb, own);
    treePeakKb = Math.max(treePeakKb, own + childrenRssKb(pid));
  }, 50);
  const agent = newAgent(16);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${label}: the server exited (${child.exitCode}): ${stderr.slice(-500)}`);
      const ready = await request(agent, `${issuer}/readyz`, { timeoutMs: 2000 }).catch(() => undefined);
      if (ready?.status === 200) break;
      if (performance.now() - began > 180_000) throw new Error(`${label}: not ready within 180 s`);
      await sleep(100);
    }
    const startMs = performance.now() - began;
    const startPeakMb = mb(Math.max(peakKb, statusKb(pid, 'VmHWM') ?? 0));
    const treePeakMb = mb(Math.max(treePeakKb, peakKb));
    await sleep(IDLE_SECONDS * 1000);
    const idleMb = mb(statusKb(pid, 'VmRSS'));
    // Light load touching the database, the provider and the pages: what an idle instance first meets.
    const paths = ['/readyz', '/.well-known/openid-configuration', '/jwks', '/privacy', '/demo'];
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < LOAD_REQUESTS) {
        const path = paths[next++ % paths.length]!;
        await request(agent, `${issuer}${path}`, { timeoutMs: 10_000 }).catch(() => undefined);
      }
    }));
    const loadPeakMb = mb(Math.max(peakKb, statusKb(pid, 'VmHWM') ?? 0));
    return { label, startMs, startPeakMb, treePeakMb, idleMb, loadPeakMb };
  } finally {
    clearInterval(sampler);
    agent.destroy();
    child.kill('SIGINT');
    await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
  }
}

/** The first start's database preparation step by step (bench/first-start-phases.ts), with the flags of `npm start`. */
function firstStartPhases(mode: 'install' | 'start'): Promise<Phase[]> {
  const flags = startArguments().filter((arg) => arg.startsWith('--'));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...flags, 'bench/first-start-phases.ts', mode], { cwd: projectRoot, env: baseEnv({}), timeout: 180_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`first-start phases: ${stderr.trim() || error.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Phase[]);
    });
  });
}

async function main(): Promise<void> {
  const results: Measurement[] = [];
  const phases = [
    ...(await firstStartPhases('install')).map((p) => ({ ...p, phase: `install: ${p.phase}` })),
    ...(await firstStartPhases('start')).map((p) => ({ ...p, phase: `first start: ${p.phase}` })),
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'foyer-memory-'));
  const secret = randomBytes(32).toString('base64url');
  const embedded = baseEnv({ FOYER_DATA_DIR: dataDir, FOYER_SECRET: secret });
  try {
    results.push(await measure('PGlite, fresh data folder', embedded));
    results.push(await measure('PGlite, existing data folder', embedded));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const adminUrl = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  if (adminUrl) {
    const database = await createScratchDatabase(adminUrl, 'foyer_memory');
    const pgDir = mkdtempSync(join(tmpdir(), 'foyer-memory-'));
    try {
      results.push(await measure('PostgreSQL, fresh database', baseEnv({ DATABASE_URL: database.url, FOYER_DATA_DIR: pgDir, FOYER_SECRET: secret })));
    } finally {
      await database.drop();
      rmSync(pgDir, { recursive: true, force: true });
    }
  }
  const rows = results.map((r) => `| ${r.label} | ${(r.startMs / 1000).toFixed(1)} s | ${r.startPeakMb.toFixed(0)} MB | ${r.treePeakMb.toFixed(0)} MB | ${r.idleMb.toFixed(0)} MB | ${r.loadPeakMb.toFixed(0)} MB |`);
  process.stdout.write([
    `| start (\`${['node', ...startArguments()].join(' ')}\`) | ready after | server peak RSS while starting | with its child (sum, sampled) | RSS idle (${IDLE_SECONDS} s) | server peak RSS after ${LOAD_REQUESTS} light requests |`,
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'The prepared initial database made (npm\'s postinstall), then a first start\'s use of it, step by step, each in its own process:',
    '',
    '| step | RSS | peak RSS so far (VmHWM) | V8 heap used | PGlite WebAssembly memory: size (resident) |',
    '| --- | --- | --- | --- | --- |',
    ...phases.map((p) => `| ${p.phase} | ${p.rssMb.toFixed(0)} MB | ${p.hwmMb.toFixed(0)} MB | ${p.heapMb.toFixed(0)} MB | ${p.wasmMb === undefined ? '-' : `${p.wasmMb.toFixed(0)} MB (${p.wasmResidentMb === undefined ? '?' : `${p.wasmResidentMb.toFixed(0)} MB`})`} |`),
  ].join('\n') + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:memory: ${(error as Error).message}\n`);
  process.exit(1);
});
