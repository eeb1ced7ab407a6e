// What the bench loads: one Foyer server process (PostgreSQL or embedded PGlite), or two instances as operators
// deploy them — haproxy in front, PostgreSQL through pgbouncer in transaction pooling mode — started with the
// same helpers as the scale-out test. Each start returns its stops, to run newest first.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingBalancerTools, startHaproxy, startPgbouncer } from '../test/support/balancer.ts';
import { baseEnv, foyerCommand, freePort, startFoyer, type FoyerProcess } from './foyer.ts';

export interface Deployment {
  /** The address customers and apps use (the balancer's, or the one instance's). */
  issuer: string;
  /** The server processes (one, or the instances behind the balancer). */
  instances: (FoyerProcess & { startTreePeakMb: number })[];
  /** Runs the `foyer` command against the deployment's database. */
  cli(args: string[]): Promise<unknown>;
}

export async function startSingle(databaseUrl: string | undefined, stops: (() => Promise<void>)[]): Promise<Deployment> {
  const foyer = await startFoyer(databaseUrl ? { databaseUrl } : {});
  stops.push(() => foyer.stop());
  return { issuer: foyer.issuer, instances: [foyer], cli: (args) => foyer.cli(args) };
}

/** Why the balanced deployment cannot run here (haproxy or pgbouncer missing), or undefined. */
export const balancedUnavailable = missingBalancerTools;

/**
 * Two instances sharing FOYER_SECRET and the database (through pgbouncer, transaction mode) behind haproxy
 * (round robin, health-checked on /readyz). Migrations run once, directly, before the instances start, as an
 * operator's release step does.
 */
export async function startBalanced(databaseUrl: string, stops: (() => Promise<void>)[]): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-bench-balanced-'));
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  const secret = randomBytes(32).toString('base64url');
  await foyerCommand(baseEnv({ DATABASE_URL: databaseUrl, FOYER_DATA_DIR: dir, FOYER_SECRET: secret }), ['migrate']);
  const bouncer = await startPgbouncer(dir, databaseUrl);
  stops.push(() => bouncer.stop());
  const balancerPort = await freePort();
  const issuer = `http://localhost:${balancerPort}`;
  const options = { databaseUrl: bouncer.url, issuer, secret, extra: { TRUST_PROXY: '1' } };
  const instances = await Promise.all([startFoyer(options), startFoyer(options)]);
  for (const instance of instances) stops.push(() => instance.stop());
  const haproxy = await startHaproxy(dir, balancerPort, instances.map((i) => i.port));
  stops.push(() => haproxy.stop());
  return { issuer, instances, cli: (args) => instances[0]!.cli(args) };
}
