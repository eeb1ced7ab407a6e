// Runs Foyer as operators do: the `foyer` command and `npm start`-style servers as real child processes
// (Node 24 from the project's `node` dev dependency), plus a throwaway PostgreSQL database for them.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createScratchDatabase, freePort, type ScratchDatabase } from './scratch.ts';

export { freePort };

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE = join(projectRoot, 'node_modules/.bin/node');

/** Variables of the test runner that must not leak into a child (each case sets its own). */
const CHILD_UNSET = ['DATABASE_URL', 'FOYER_DATA_DIR', 'FOYER_CONFIG', 'FOYER_SECRET', 'PORT', 'HOST', 'ISSUER', 'SMTP_URL', 'NODE_ENV', 'LOG_LEVEL', 'TRUST_PROXY', 'OUTBOUND_ALLOW_PRIVATE', 'SHUTDOWN_DRAIN_SECONDS', 'FOYER_DEMO_PROFILE', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID', 'TEST'];

/** Where a child's data lives: a PGlite folder, or a PostgreSQL database (then dataDir only holds files). */
export interface FoyerEnv {
  dataDir: string;
  databaseUrl?: string | undefined;
  configFile?: string | undefined;
  secret?: string | undefined;
  extra?: Record<string, string> | undefined;
}

export function childEnv(target: FoyerEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CHILD_UNSET) delete env[name];
  // Node's compile cache spares each child a good part of loading the sources (behaviour is unchanged).
  env.NODE_COMPILE_CACHE ??= join(tmpdir(), 'foyer-test-node-compile-cache');
  env.FOYER_DATA_DIR = target.dataDir;
  if (target.databaseUrl) env.DATABASE_URL = target.databaseUrl;
  if (target.configFile) env.FOYER_CONFIG = target.configFile;
  if (target.secret) env.FOYER_SECRET = target.secret;
  // Like startTestServer: the demo's profile schema only where a test asks for it (it would add profile pages).
  env.FOYER_DEMO_PROFILE = 'false';
  return { ...env, ...target.extra };
}

/**
 * How long a child process may take to finish a command or to become ready. Generous: a child opens the
 * embedded database itself (initdb on a new folder), and two test files run at a time on a machine that
 * may be busy with other work too.
 */
export const CHILD_TIMEOUT_MS = 90_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `foyer ARGS` (src/cli/foyer.ts) in the project folder and collects its output. */
export function foyer(target: FoyerEnv, args: string[], options: { stdin?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(NODE, ['src/cli/foyer.ts', ...args], { cwd: projectRoot, env: childEnv(target), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`foyer ${args.join(' ')} did not finish in ${options.timeoutMs ?? CHILD_TIMEOUT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs a command that must succeed and parses its `--json` output. */
export async function foyerJson<T = unknown>(target: FoyerEnv, args: string[], options: { stdin?: string } = {}): Promise<T> {
  const result = await foyer(target, [...args, '--json'], options);
  if (result.code !== 0) throw new Error(`foyer ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}


export function tempDir(prefix = 'foyer-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export const newSecret = () => randomBytes(32).toString('base64url');

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM and waits for the exit; resolves with the exit code and how long it took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** SIGKILL if still running (cleanup). */
  kill(): void;
}

/** Starts `node src/main.ts` (what `npm start` runs) and waits until GET /readyz answers 200 (ready, not just alive). */
export async function startServerProcess(target: FoyerEnv & { port?: number }, options: { readyTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const port = target.port ?? await freePort();
  const child = spawn(NODE, ['src/main.ts'], {
    cwd: projectRoot,
    env: childEnv({ ...target, extra: { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...target.extra } }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => {
    child.on('exit', (code, signal) => resolvePromise({ code, signal }));
  });
  let done = false;
  void exited.then(() => (done = true));
  const url = `http://localhost:${port}`;
  const server: ServerProcess = {
    child,
    port,
    url,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      const started = Date.now();
      if (!done) child.kill(signal);
      const result = await exited;
      return { ...result, ms: Date.now() - started };
    },
    kill() {
      if (!done) child.kill('SIGKILL');
    },
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? CHILD_TIMEOUT_MS);
  for (;;) {
    if (done) throw new Error(`the server exited before it was ready:\n${output}`);
    try {
      // While starting the server answers 503; a short timeout covers a port not yet open.
      const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return server;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      server.kill();
      throw new Error(`the server was not ready (/readyz) in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A fresh PostgreSQL database next to the one in DATABASE_URL, dropped by `drop()`. */
export async function createPgDatabase(): Promise<ScratchDatabase> {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error('DATABASE_URL is not set');
  return createScratchDatabase(base, 'foyer_cli');
}

/** The kids the server publishes now, read through discovery's jwks_uri. */
export async function publishedKids(serverUrl: string): Promise<string[]> {
  const discovery = await (await fetch(`${serverUrl}/.well-known/openid-configuration`)).json() as { jwks_uri: string };
  const jwks = await (await fetch(discovery.jwks_uri)).json() as { keys: { kid: string }[] };
  return jwks.keys.map((k) => k.kid);
}
