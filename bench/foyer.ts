// Starting the real Foyer server as a child process (node src/main.ts) on PostgreSQL or PGlite, and
// preparing it with the real `foyer` command (node src/cli/foyer.ts). With PGlite the command reaches
// the running server over its control socket, as it would for an operator.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childrenRssKb, spawnTracked, statusKb, stopTracked, track, type Tracked } from './children.ts';
import { newAgent, request } from './http.ts';
import { freePort } from '../test/support/scratch.ts';

export const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Environment for children: no inherited Foyer settings, and a compile cache so each CLI call starts fast. */
export function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['DATABASE_URL', 'PORT', 'HOST', 'ISSUER', 'FOYER_DATA_DIR', 'FOYER_SECRET', 'FOYER_CONFIG', 'SMTP_URL', 'NODE_ENV', 'LOG_LEVEL', 'TRUST_PROXY', 'NODE_OPTIONS']) delete env[key];
  return { ...env, NODE_COMPILE_CACHE: join(tmpdir(), 'foyer-bench-compile-cache'), ...extra };
}

export { freePort };

/** The arguments of `npm start` (package.json's start script: node, its flags, src/main.ts), so the bench runs what operators run. */
export function startArguments(): string[] {
  const script = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [command, ...args] = script.split(/\s+/);
  if (command !== 'node') throw new Error(`the start script is not a node command: ${script}`);
  return args;
}

export async function waitUntilServing(url: string, tracked: Tracked, timeoutMs: number): Promise<void> {
  const agent = newAgent(1);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (tracked.child.exitCode !== null) throw new Error(`the process exited with code ${tracked.child.exitCode}:\n${tracked.tail()}`);
      try {
        const res = await request(agent, url, { timeoutMs: 2000 });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${tracked.tail()}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  } finally {
    agent.destroy();
  }
}

export interface FoyerProcess {
  issuer: string;
  pid: number;
  tracked: Tracked;
  /** Runs `foyer <args> --json` against this server's database; returns the parsed output. */
  cli(args: string[]): Promise<unknown>;
  stop(): Promise<void>;
}

/** Runs `foyer <args> --json` (the real command) with `env`; returns the parsed output. */
export function foyerCommand(env: NodeJS.ProcessEnv, args: string[]): Promise<unknown> {
  return new Promise((resolveOut, reject) => {
    const child = execFile(process.execPath, ['src/cli/foyer.ts', ...args, '--json'], { cwd: projectRoot, env, timeout: 120_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`foyer ${args.slice(0, 2).join(' ')} failed: ${stderr.trim() || error.message}`));
      try {
        resolveOut(JSON.parse(stdout));
      } catch {
        reject(new Error(`foyer ${args.slice(0, 2).join(' ')}: unexpected output ${stdout.slice(0, 200)}`));
      }
    });
    track(child);
  });
}

export interface FoyerOptions {
  databaseUrl?: string;
  /** The public address, when it is not the instance's own (behind a balancer). */
  issuer?: string;
  /** Shared by instances of one deployment. */
  secret?: string;
  /** Extra environment (e.g. TRUST_PROXY behind a balancer). */
  extra?: Record<string, string>;
}

export async function startFoyer(options: FoyerOptions): Promise<FoyerProcess & { port: number; startTreePeakMb: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'foyer-bench-'));
  const port = await freePort();
  const own = `http://localhost:${port}`;
  const issuer = options.issuer ?? own;
  const configFile = join(dataDir, 'bench-config.json');
  // Every sign-up of the passkey preparation comes from loopback: the bench's own config lets them all mail their code.
  writeFileSync(configFile, JSON.stringify({ demo: false, throttle: { codeSendsPerAddress: 100_000 } }));
  const env = baseEnv({
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: issuer,
    FOYER_DATA_DIR: dataDir,
    FOYER_SECRET: options.secret ?? randomBytes(32).toString('base64url'),
    FOYER_CONFIG: configFile,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...options.extra,
    // BENCH_SERVER_ENV adds environment to the server only, as `KEY=VALUE KEY=VALUE` (e.g. `MALLOC_ARENA_MAX=4`
    // to compare allocator settings, which must be set before the process starts).
    ...Object.fromEntries((process.env.BENCH_SERVER_ENV ?? '').split(/\s+/).filter(Boolean).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`BENCH_SERVER_ENV: expected KEY=VALUE, got ${pair}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    })),
  });
  // BENCH_SERVER_FLAGS adds node flags to the server only (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it).
  const serverFlags = (process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const tracked = spawnTracked(process.execPath, [...serverFlags, ...startArguments()], { cwd: projectRoot, env });
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  // The start's peak over the whole process tree: PGlite's first start prepares its database in a child process.
  let treePeakKb = 0;
  const sampler = setInterval(() => {
    treePeakKb = Math.max(treePeakKb, (statusKb(tracked.pid, 'VmRSS') ?? 0) + childrenRssKb(tracked.pid));
  }, 50);
  try {
    // A first embedded start prepares its database first: minutes on a busy machine.
    await waitUntilServing(`${own}/.well-known/openid-configuration`, tracked, 180_000);
  } catch (error) {
    await stopTracked(tracked, 2000);
    cleanup();
    throw error;
  } finally {
    clearInterval(sampler);
  }

  return {
    issuer,
    port,
    startTreePeakMb: treePeakKb / 1024,
    pid: tracked.pid,
    tracked,
    cli: (args) => foyerCommand(env, args),
    async stop() {
      await stopTracked(tracked);
      cleanup();
    },
  };
}
