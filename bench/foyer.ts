// Starting the real Foyer server as a child process (node src/main.ts) on PostgreSQL or PGlite, and
// preparing it with the real `foyer` command (node src/cli/foyer.ts). With PGlite the command reaches
// the running server over its control socket, as it would for an operator.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnTracked, stopTracked, track, type Tracked } from './children.ts';
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

export async function startFoyer(options: { databaseUrl?: string }): Promise<FoyerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'foyer-bench-'));
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const configFile = join(dataDir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ demo: false }));
  const env = baseEnv({
    PORT: String(port),
    HOST: '127.0.0.1',
    ISSUER: issuer,
    FOYER_DATA_DIR: dataDir,
    FOYER_SECRET: randomBytes(32).toString('base64url'),
    FOYER_CONFIG: configFile,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  // BENCH_SERVER_FLAGS adds node flags to the server only (e.g. `--cpu-prof --cpu-prof-dir=DIR` to profile it).
  const serverFlags = (process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const tracked = spawnTracked(process.execPath, [...serverFlags, ...startArguments()], { cwd: projectRoot, env });
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  try {
    await waitUntilServing(`${issuer}/.well-known/openid-configuration`, tracked, 60_000);
  } catch (error) {
    await stopTracked(tracked, 2000);
    cleanup();
    throw error;
  }

  return {
    issuer,
    pid: tracked.pid,
    tracked,
    cli(args) {
      return new Promise((resolveOut, reject) => {
        const child = execFile(process.execPath, ['src/cli/foyer.ts', ...args, '--json'], { cwd: projectRoot, env, timeout: 60_000 }, (error, stdout, stderr) => {
          if (error) return reject(new Error(`foyer ${args.slice(0, 2).join(' ')} failed: ${stderr.trim() || error.message}`));
          try {
            resolveOut(JSON.parse(stdout));
          } catch {
            reject(new Error(`foyer ${args.slice(0, 2).join(' ')}: unexpected output ${stdout.slice(0, 200)}`));
          }
        });
        track(child);
      });
    },
    async stop() {
      await stopTracked(tracked);
      cleanup();
    },
  };
}
