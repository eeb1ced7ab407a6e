// Runs the pieces operators put in front of several Foyer instances, as real processes from the system's
// packages: haproxy (HTTP balancer, adds X-Forwarded-For) and pgbouncer in transaction pooling mode.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from './scratch.ts';

const HAPROXY = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((path) => existsSync(path));
const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => existsSync(path));

/** Why the balanced set-up cannot run here, or undefined when haproxy and pgbouncer are installed. */
export function missingBalancerTools(): string | undefined {
  const missing = [HAPROXY ? undefined : 'haproxy', PGBOUNCER ? undefined : 'pgbouncer'].filter(Boolean);
  return missing.length ? `install ${missing.join(' and ')} (Debian packages of the same names) to run this test` : undefined;
}

export interface RunningProcess {
  port: number;
  output(): string;
  stop(): Promise<void>;
}

function run(command: string, args: string[], port: number, options: { uid?: number; gid?: number } = {}): RunningProcess {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    port,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves once something accepts TCP connections on the port (the process is up), or throws after 15 s. */
async function listening(port: number, process: RunningProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}:\n${process.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * pgbouncer in transaction pooling mode in front of the PostgreSQL of `databaseUrl` (trust auth on loopback):
 * a server connection is lent for one transaction only, so session state (named prepared statements,
 * session advisory locks, SET without LOCAL, LISTEN) would break. Returns the URL to give the instances.
 */
export async function startPgbouncer(dir: string, databaseUrl: string): Promise<RunningProcess & { url: string }> {
  const target = new URL(databaseUrl);
  const database = target.pathname.slice(1);
  const port = await freePort();
  const users = join(dir, 'pgbouncer-users.txt');
  writeFileSync(users, `"${decodeURIComponent(target.username || 'postgres')}" ""\n`);
  const ini = join(dir, 'pgbouncer.ini');
  writeFileSync(ini, [
    '[databases]',
    `${database} = host=${target.hostname} port=${target.port || 5432} dbname=${database}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'auth_type = trust',
    `auth_file = ${users}`,
    'pool_mode = transaction',
    'default_pool_size = 10',
    'max_client_conn = 200',
    // Drivers set these at connect; pgbouncer passes them on instead of refusing the connection.
    'ignore_startup_parameters = extra_float_digits,options',
    `unix_socket_dir =`,
    '',
  ].join('\n'));
  // pgbouncer refuses to run as root: as root, run it as the postgres user (it only needs to read the files).
  const asRoot = process.getuid?.() === 0;
  let ids: { uid?: number; gid?: number } = {};
  if (asRoot) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (id.status !== 0) throw new Error('running as root and there is no postgres user to run pgbouncer as');
    ids = { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
    chmodSync(dir, 0o755);
    chmodSync(ini, 0o644);
    chmodSync(users, 0o644);
  }
  const bouncer = run(PGBOUNCER!, [ini], port, ids);
  await listening(port, bouncer);
  const url = new URL(databaseUrl);
  url.port = String(port);
  url.hostname = '127.0.0.1';
  return { ...bouncer, url: url.href };
}

/**
 * haproxy on `port`, round robin over `backends` (ports on loopback), health-checked on /readyz; each answer
 * says which instance served it in `X-Served-By` (foyer1, foyer2, …).
 */
export async function startHaproxy(dir: string, port: number, backends: number[]): Promise<RunningProcess> {
  const cfg = join(dir, 'haproxy.cfg');
  writeFileSync(cfg, [
    'global',
    '  maxconn 512',
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend foyer',
    `  bind 127.0.0.1:${port}`,
    '  option forwardfor',
    '  default_backend instances',
    '  http-response set-header X-Served-By %[srv_name]',
    'backend instances',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    ...backends.map((backend, i) => `  server foyer${i + 1} 127.0.0.1:${backend} check inter 500ms`),
    '',
  ].join('\n'));
  const haproxy = run(HAPROXY!, ['-f', cfg, '-db'], port);
  await listening(port, haproxy);
  return haproxy;
}
