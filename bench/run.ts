// `npm run bench`: one Foyer server process per database (a fresh PostgreSQL database, then embedded
// PGlite), prepared with the `foyer` command and loaded on loopback; each figure is printed beside its
// limit measured in the same run (raw argon2id, a bare oidc-provider) and the aim from the issue.
// Reports, never fails on a missed aim: exits 1 only when the bench itself could not run a scenario.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Agent } from 'node:http';
import { createScratchDatabase } from '../test/support/scratch.ts';
import { createSoftAuthenticator, type SoftAuthenticator } from '../test/support/soft-authenticator.ts';
import { argon2Limit } from './argon2-limit.ts';
import { killAllChildren, spawnTracked, statusKb, stopTracked, usageWindow, type Tracked } from './children.ts';
import { refresh, signIn, type SignInStats, type WebClient } from './flows.ts';
import { balancedUnavailable, startBalanced, startSingle, type Deployment } from './deployment.ts';
import { baseEnv, freePort, projectRoot, waitUntilServing } from './foyer.ts';
import { basicAuth, form, newAgent, request } from './http.ts';
import { passkeySignIn, signUpWithPasskey } from './passkey.ts';
import { cannon, closedLoop, type Measured } from './load.ts';
import { ssoScenarios } from './sso.ts';
import { seedDatabase } from './seed.ts';
import { limitsTable, measuredTable, otherLoad, SCENARIO_LABEL, type BackendSummary, type Report, type Row, type Scenario, type Target } from './report.ts';

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

const SECONDS = envNumber('BENCH_SECONDS', 8);
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', 2);
const USERS = Math.round(envNumber('BENCH_USERS', 50));
// The 1k-vs-1M line (PostgreSQL): sign-in measured with SCALE_SMALL accounts, then again once seeding
// (bench/seed.ts's fast path) has brought the table to SCALE_LARGE. BENCH_SCALE_ACCOUNTS=0 leaves it out.
const SCALE_SMALL = 1000;
const SCALE_LARGE = process.env.BENCH_SCALE_ACCOUNTS === '0' ? 0 : Math.max(SCALE_SMALL * 2, Math.round(envNumber('BENCH_SCALE_ACCOUNTS', 1_000_000)));
const SIGN_IN_CONCURRENCY = Math.round(envNumber('BENCH_SIGNIN_CONCURRENCY', 8));
const CONCURRENCY = Math.round(envNumber('BENCH_CONCURRENCY', 16));
// BENCH_ONLY=sign-in,sso (scenario names) measures only those, for a quicker run while profiling or comparing one change;
// BENCH_SCENARIOS=tokens is short for the token paths (refresh, client credentials, userinfo) beside the bare provider.
const ONLY = new Set(process.env.BENCH_SCENARIOS === 'tokens' ? ['refresh', 'client-credentials', 'userinfo'] : (process.env.BENCH_ONLY ?? '').split(',').map((name) => name.trim()).filter(Boolean));
const wanted = (...names: Scenario[]) => ONLY.size === 0 || names.some((name) => ONLY.has(name));
// The SSO flow's closed loop: that many browsers at once, each with a session of its own.
const SSO_CONCURRENCY = Math.round(envNumber('BENCH_SSO_CONCURRENCY', CONCURRENCY));
type Backend = 'postgres' | 'pglite' | 'balanced';
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'postgres,balanced,pglite').split(',').map((s) => s.trim()).filter((s): s is Backend => s === 'postgres' || s === 'pglite' || s === 'balanced');
const ADMIN_URL = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const timing = { warmupMs: WARMUP_SECONDS * 1000, durationMs: SECONDS * 1000 };
const CALLBACK = 'http://127.0.0.1:9/callback';
const RESOURCE = 'https://api.bench.test';
const WEB_CLIENT = 'bench-web';
const SERVICE_CLIENT = 'bench-service';
const WEB_SCOPE = 'openid email';
const CLIENT_SECRET = randomBytes(32).toString('base64url');
const PASSWORD = `bench-${randomBytes(12).toString('base64url')}`;
const emailOf = (i: number) => `u${i}@bench.test`;
/** The passkey accounts: made by signing up through the pages, apart from the CLI-made password accounts. */
const passkeyEmailOf = (i: number) => `pk${i}@bench.test`;

const began = performance.now();
const progress = (message: string) => process.stderr.write(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);

const report: Report = { argon2Concurrency: SIGN_IN_CONCURRENCY, rows: [], backends: [] };
const cleanups: (() => Promise<void>)[] = [];

let cleaning: Promise<void> | undefined;

/** Runs the pending cleanups, newest first; a second caller waits for the run in progress. */
function runCleanups(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const cleanup = cleanups.pop()!;
      await cleanup().catch((error: unknown) => progress(`cleanup failed: ${(error as Error).message}`));
    }
  })().finally(() => {
    cleaning = undefined;
  });
  return cleaning;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (interrupted) return;
    interrupted = true;
    progress(`${signal}: stopping`);
    killAllChildren();
    const deadline = setTimeout(() => process.exit(130), 10_000);
    deadline.unref();
    runCleanups().finally(() => process.exit(130));
  });
}

/** Runs one scenario; a failure is recorded in its row instead of ending the bench. */
async function scenario(row: Omit<Row, 'measured' | 'usage' | 'failure'>, pid: number | number[] | undefined, body: (window: ReturnType<typeof usageWindow> | undefined) => Promise<Measured>): Promise<Row> {
  const full: Row = { ...row };
  report.rows.push(full);
  progress(`${SCENARIO_LABEL[row.scenario]} on ${row.target}: ${WARMUP_SECONDS} s warm-up + ${SECONDS} s`);
  const window = pid === undefined ? undefined : usageWindow(pid, { postgres: row.target === 'postgres' || row.target === 'balanced' });
  try {
    full.measured = await body(window);
    if (window) full.usage = window.usage();
    if (full.measured.errors) progress(`  ${full.measured.errors} errors, first: ${full.measured.firstError}`);
    if (full.measured.completed === 0) throw new Error(`nothing completed${full.measured.firstError ? `: ${full.measured.firstError}` : ''}`);
  } catch (error) {
    window?.end();
    full.failure = (error as Error).message.split('\n')[0]!.slice(0, 160);
    delete full.measured;
    progress(`  FAILED: ${(error as Error).message}`);
  }
  return full;
}

function decodeJwtHeader(jwt: string): { alg?: string } {
  return JSON.parse(Buffer.from(jwt.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: string };
}

interface TokenTarget {
  target: Target;
  pid: number | number[];
  tokenUrl: string;
  userinfoUrl: string;
  webClient: string;
  serviceClient: string;
  secret: string;
  refreshTokens: string[];
  accessToken: () => Promise<string>;
}

/** Refresh chains, client credentials and userinfo: the same load on Foyer and on the bare provider. */
async function tokenScenarios(t: TokenTarget): Promise<void> {
  // (2) N independent refresh chains, each always presenting the newest token of its own chain.
  const chains = [...t.refreshTokens];
  const broken = new Set<number>();
  const agent = newAgent(CONCURRENCY);
  await scenario({ scenario: 'refresh', target: t.target, concurrency: chains.length, generator: 'loop' }, t.pid, (window) => closedLoop({
    concurrency: chains.length,
    ...timing,
    ...(window ? { window } : {}),
    async operation(i) {
      if (broken.has(i)) return false;
      try {
        chains[i] = await refresh(agent, t.tokenUrl, t.webClient, t.secret, chains[i]!);
      } catch (error) {
        broken.add(i);
        throw error;
      }
    },
  }));
  agent.destroy();
  if (broken.size) progress(`  ${broken.size} of ${chains.length} refresh chains broke`);

  // (3) client credentials with an ES256 JWT access token for a registered resource.
  const ccInit = {
    method: 'POST' as const,
    headers: { authorization: basicAuth(t.serviceClient, t.secret), 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form({ grant_type: 'client_credentials', resource: RESOURCE, scope: 'read' }),
  };
  await scenario({ scenario: 'client-credentials', target: t.target, concurrency: CONCURRENCY, generator: 'autocannon' }, t.pid, async (window) => {
    const probeAgent = newAgent(1);
    try {
      const res = await request(probeAgent, t.tokenUrl, ccInit);
      if (res.status !== 200) throw new Error(`client credentials: ${res.status} ${res.body.slice(0, 200)}`);
      const body = JSON.parse(res.body) as { access_token: string; scope?: string };
      const alg = decodeJwtHeader(body.access_token).alg;
      if (alg !== 'ES256') throw new Error(`client credentials: expected an ES256 JWT access token, got ${alg ?? 'an opaque token'}`);
    } finally {
      probeAgent.destroy();
    }
    return cannon({ url: t.tokenUrl.replace('//localhost:', '//127.0.0.1:'), ...ccInit, connections: CONCURRENCY, ...timing, ...(window ? { window } : {}) });
  });

  // (4) userinfo with a valid opaque access token.
  await scenario({ scenario: 'userinfo', target: t.target, concurrency: CONCURRENCY, generator: 'autocannon' }, t.pid, async (window) => {
    const headers = { authorization: `Bearer ${await t.accessToken()}`, accept: 'application/json' };
    const probeAgent = newAgent(1);
    try {
      const res = await request(probeAgent, t.userinfoUrl, { headers });
      if (res.status !== 200 || !(JSON.parse(res.body) as { sub?: string }).sub) throw new Error(`userinfo: ${res.status} ${res.body.slice(0, 200)}`);
    } finally {
      probeAgent.destroy();
    }
    return cannon({ url: t.userinfoUrl.replace('//localhost:', '//127.0.0.1:'), headers, connections: CONCURRENCY, ...timing, ...(window ? { window } : {}) });
  });
}

async function bareProvider(): Promise<void> {
  progress('starting the bare oidc-provider (in-memory adapter)');
  const port = await freePort();
  const tracked: Tracked = spawnTracked(process.execPath, ['bench/bare-provider.ts'], {
    cwd: projectRoot,
    env: baseEnv({ PORT: String(port), BARE_CHAINS: String(CONCURRENCY), BARE_CLIENT_SECRET: CLIENT_SECRET, NODE_ENV: 'development' }),
  });
  const stopBare = () => stopTracked(tracked);
  cleanups.push(stopBare);
  const issuer = `http://localhost:${port}`;
  try {
    await waitUntilServing(`${issuer}/.well-known/openid-configuration`, tracked, 30_000);
    const line = tracked.tail().split('\n').find((l) => l.startsWith('{"port"'));
    if (!line) throw new Error(`the bare provider printed no tokens:\n${tracked.tail()}`);
    const info = JSON.parse(line) as { port: number; webClient: string; serviceClient: string; refreshTokens: string[] };
    await tokenScenarios({
      target: 'bare',
      pid: tracked.pid,
      tokenUrl: `${issuer}/token`,
      userinfoUrl: `${issuer}/me`,
      webClient: info.webClient,
      serviceClient: info.serviceClient,
      secret: CLIENT_SECRET,
      refreshTokens: info.refreshTokens,
      async accessToken() {
        const agent = newAgent(1);
        try {
          const res = await request(agent, `${issuer}/__bench/access-token`);
          if (res.status !== 200) throw new Error(`minting an access token: ${res.status} ${res.body.slice(0, 200)}`);
          return (JSON.parse(res.body) as { accessToken: string }).accessToken;
        } finally {
          agent.destroy();
        }
      },
    });
  } catch (error) {
    progress(`the bare provider failed: ${(error as Error).message}`);
    for (const s of ['refresh', 'client-credentials', 'userinfo'] as Scenario[]) {
      if (!report.rows.some((r) => r.scenario === s && r.target === 'bare')) {
        report.rows.push({ scenario: s, target: 'bare', concurrency: CONCURRENCY, generator: s === 'refresh' ? 'loop' : 'autocannon', failure: (error as Error).message.split('\n')[0]! });
      }
    }
  } finally {
    const index = cleanups.indexOf(stopBare);
    if (index >= 0) cleanups.splice(index, 1);
    await stopBare();
  }
}

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(limit: number, items: T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await task(items[next++]!);
  }));
}

const createDatabase = () => createScratchDatabase(ADMIN_URL, 'foyer_bench');

async function prepare(foyer: Deployment): Promise<void> {
  progress(`preparing with the foyer command: a resource, 2 clients, ${USERS} users`);
  await foyer.cli(['resources', 'add', '--id', RESOURCE, '--scope', 'read']);
  await foyer.cli(['clients', 'add', '--client-id', SERVICE_CLIENT, '--name', 'Bench service', '--grant-type', 'client_credentials', '--secret', CLIENT_SECRET, '--scope', 'read']);
  await foyer.cli(['clients', 'add', '--client-id', WEB_CLIENT, '--name', 'Bench web app', '--redirect-uri', CALLBACK, '--secret', CLIENT_SECRET, '--scope', WEB_SCOPE, '--first-party']);
  const indexes = Array.from({ length: USERS }, (_, i) => i);
  await pool(3, indexes, async (i) => {
    await foyer.cli(['users', 'add', '--email', emailOf(i), '--password', PASSWORD, '--verified']);
  });
}

/**
 * (1b) passkey sign-in through the authorization-code flow. Preparation signs up USERS more customers
 * through the pages, each accepting the passkey offer Foyer makes after sign-up (the code read from the
 * dev outbox); each worker then signs in with its own accounts only, so a passkey is never used by two
 * sign-ins at once (its signature counter must move forward).
 */
async function passkeyScenario(target: 'postgres' | 'pglite', pid: number, agent: Agent, web: WebClient): Promise<void> {
  const concurrency = Math.min(SIGN_IN_CONCURRENCY, USERS);
  const authenticators: SoftAuthenticator[] = Array.from({ length: USERS }, () => createSoftAuthenticator());
  try {
    progress(`signing up ${USERS} passkey customers (sign-up, mailed code, then the passkey offer)`);
    await pool(SIGN_IN_CONCURRENCY, Array.from({ length: USERS }, (_, i) => i), async (i) => {
      await signUpWithPasskey(agent, web, passkeyEmailOf(i), PASSWORD, authenticators[i]!);
    });
  } catch (error) {
    const message = `preparing passkeys: ${(error as Error).message.split('\n')[0]!.slice(0, 160)}`;
    progress(`  FAILED: ${message}`);
    report.rows.push({ scenario: 'passkey-sign-in', target, concurrency, generator: 'loop', failure: message });
    return;
  }
  const turn = Array.from({ length: concurrency }, () => 0);
  const stats: SignInStats = { termsAccepted: 0 };
  await scenario({ scenario: 'passkey-sign-in', target, concurrency, generator: 'loop' }, pid, (window) => closedLoop({
    concurrency,
    ...timing,
    ...(window ? { window } : {}),
    async operation(worker) {
      // Worker w owns users w, w + concurrency, w + 2·concurrency, …
      const owned = Math.ceil((USERS - worker) / concurrency);
      const n = turn[worker] ?? 0;
      turn[worker] = n + 1;
      const user = worker + (n % owned) * concurrency;
      await passkeySignIn(agent, web, passkeyEmailOf(user), authenticators[user]!, stats);
    },
  }));
  if (stats.termsAccepted) progress(`  note: ${stats.termsAccepted} measured passkey sign-ins showed the terms page`);
}

/** For the scale line (PostgreSQL): seeds the accounts table from about `have` rows up to `total`. */
async function scaleStep(databaseUrl: string, have: number, total: number, prefix: string): Promise<void> {
  const more = Math.max(0, total - have);
  if (more === 0) return;
  progress(`seeding ${more.toLocaleString('en')} accounts (fast path) to reach ${total.toLocaleString('en')}`);
  const seconds = await seedDatabase(databaseUrl, more, { prefix });
  progress(`  seeded in ${seconds.toFixed(1)} s`);
  report.scale = { small: SCALE_SMALL, large: SCALE_LARGE, seedSeconds: (report.scale?.seedSeconds ?? 0) + seconds };
}

async function foyerBackend(target: Backend): Promise<void> {
  const summary: BackendSummary = { target };
  report.backends.push(summary);
  const scale = target === 'postgres' && SCALE_LARGE > 0;
  const scenarioNames: Scenario[] = ['sign-in', 'sso', 'sso-half', ...(target === 'balanced' ? [] : ['passkey-sign-in'] as Scenario[]), 'refresh', 'client-credentials', 'userinfo', ...(scale ? ['sign-in-large'] as Scenario[] : [])];
  const signInLike = (s: Scenario) => s === 'sign-in' || s === 'passkey-sign-in' || s === 'sign-in-large';
  const failAll = (message: string) => {
    summary.failure = message;
    for (const s of scenarioNames) {
      if (!report.rows.some((r) => r.scenario === s && r.target === target)) {
        report.rows.push({ scenario: s, target, concurrency: signInLike(s) ? SIGN_IN_CONCURRENCY : CONCURRENCY, generator: s === 'sso-half' ? 'paced' : signInLike(s) || s === 'refresh' || s === 'sso' ? 'loop' : 'autocannon', failure: message });
      }
    }
  };
  if (target === 'balanced') {
    const missing = balancedUnavailable();
    if (missing) {
      progress(`skipping two instances behind haproxy and pgbouncer: ${missing}`);
      summary.failure = `skipped: ${missing}`;
      return;
    }
  }

  let databaseUrl: string | undefined;
  if (target !== 'pglite') {
    try {
      const database = await createDatabase();
      cleanups.push(() => database.drop());
      databaseUrl = database.url;
      progress(`created database ${new URL(database.url).pathname.slice(1)} on ${new URL(ADMIN_URL).host}`);
    } catch (error) {
      progress(`PostgreSQL at ${new URL(ADMIN_URL).host} is not usable, skipping it: ${(error as Error).message}`);
      failAll(`PostgreSQL not available: ${(error as Error).message}`);
      return;
    }
  }

  try {
    progress(target === 'balanced' ? 'starting two Foyer instances behind haproxy, on pgbouncer (transaction pooling)' : `starting Foyer on ${target}`);
    const deployment = target === 'balanced' ? await startBalanced(databaseUrl!, cleanups) : await startSingle(databaseUrl, cleanups);
    const pids = deployment.instances.map((i) => i.pid);
    const startRss = Math.max(...pids.map((pid) => statusKb(pid, 'VmRSS') ?? 0));
    if (startRss > 0) summary.startRssMb = startRss / 1024;
    summary.startTreePeakMb = Math.max(...deployment.instances.map((i) => i.startTreePeakMb));
    await prepare(deployment);
    if (scale) await scaleStep(databaseUrl!, USERS, SCALE_SMALL, 's');

    const web: WebClient = { issuer: deployment.issuer, clientId: WEB_CLIENT, clientSecret: CLIENT_SECRET, redirectUri: CALLBACK, scope: WEB_SCOPE };
    const agent = newAgent(Math.max(SIGN_IN_CONCURRENCY, CONCURRENCY, SSO_CONCURRENCY));
    // First sign-in of every account: it accepts the terms once (CLI-made accounts have not yet), so
    // the measured sign-ins are the plain password flow.
    const stats: SignInStats = { termsAccepted: 0 };
    progress(`first sign-in of each of the ${USERS} users (accepts the terms once)`);
    await pool(SIGN_IN_CONCURRENCY, Array.from({ length: USERS }, (_, i) => i), async (i) => {
      await signIn(agent, web, emailOf(i), PASSWORD, stats);
    });
    progress(`  ${stats.termsAccepted} terms pages accepted`);

    // (1) full password sign-in through the authorization-code flow, a fresh browser each time.
    const passwordSignIns = (scenarioName: 'sign-in' | 'sign-in-large') => {
      let nextUser = 0;
      const measuredStats: SignInStats = { termsAccepted: 0 };
      return scenario({ scenario: scenarioName, target, concurrency: SIGN_IN_CONCURRENCY, generator: 'loop' }, pids, (window) => closedLoop({
        concurrency: SIGN_IN_CONCURRENCY,
        ...timing,
        ...(window ? { window } : {}),
        async operation() {
          await signIn(agent, web, emailOf(nextUser++ % USERS), PASSWORD, measuredStats);
        },
      })).finally(() => {
        if (measuredStats.termsAccepted) progress(`  note: ${measuredStats.termsAccepted} measured sign-ins still showed the terms page`);
      });
    };
    if (wanted('sign-in')) await passwordSignIns('sign-in');

    // (1c) the returning customer's sign-in (SSO), at its most flows/s and paced at half that.
    if (wanted('sso', 'sso-half')) await ssoScenarios({
      target, pids, agent, web, password: PASSWORD, concurrency: SSO_CONCURRENCY, timing, progress, pool,
      emails: Array.from({ length: Math.min(USERS, SSO_CONCURRENCY * 2) }, (_, i) => emailOf(i)),
      run: (row, pid, body) => scenario(row, pid, body),
    });

    // The balanced run leaves passkeys out: they would show nothing the one-instance run does not, for a longer run.
    if (target !== 'balanced' && wanted('passkey-sign-in')) await passkeyScenario(target, pids[0]!, agent, web);

    // Real refresh tokens and an access token: one sign-in per chain.
    if (wanted('refresh', 'client-credentials', 'userinfo')) {
      progress(`signing in ${CONCURRENCY} times for the refresh chains`);
      const refreshTokens: string[] = [];
      await pool(SIGN_IN_CONCURRENCY, Array.from({ length: CONCURRENCY }, (_, i) => i), async (i) => {
        const tokens = await signIn(agent, web, emailOf(i % USERS), PASSWORD);
        if (!tokens.refresh_token) throw new Error('the first-party client got no refresh token');
        refreshTokens.push(tokens.refresh_token);
      });
      const discovery = JSON.parse((await request(agent, `${deployment.issuer}/.well-known/openid-configuration`)).body) as { token_endpoint: string; userinfo_endpoint: string };
      await tokenScenarios({
        target,
        pid: pids,
        tokenUrl: discovery.token_endpoint,
        userinfoUrl: discovery.userinfo_endpoint,
        webClient: WEB_CLIENT,
        serviceClient: SERVICE_CLIENT,
        secret: CLIENT_SECRET,
        refreshTokens,
        accessToken: async () => (await signIn(agent, web, emailOf(0), PASSWORD)).access_token,
      });
    }

    // The 1k-vs-1M line: the same sign-in once the accounts table holds SCALE_LARGE rows.
    if (scale) {
      await scaleStep(databaseUrl!, SCALE_SMALL, SCALE_LARGE, 't');
      await passwordSignIns('sign-in-large');
    }
    agent.destroy();
    const hwm = Math.max(...pids.map((pid) => statusKb(pid, 'VmHWM') ?? 0));
    if (hwm > 0) summary.peakRssMb = hwm / 1024;
    summary.complaints = deployment.instances.flatMap((i) => i.tracked.complaints);
    if (summary.complaints.length) {
      progress(`the server logged ${summary.complaints.length} warning/error lines; first: ${summary.complaints[0]!.slice(0, 300)}`);
    }
  } catch (error) {
    progress(`Foyer on ${target} failed: ${(error as Error).message}`);
    failAll((error as Error).message.split('\n')[0]!.slice(0, 160));
  } finally {
    // Stop the servers (and the balancer), then drop the database (the cleanups of this backend, newest first).
    await runCleanups();
  }
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

const startLoadAverage = loadAverage();

function header(): string {
  const cpu = cpus();
  const loadavg = startLoadAverage;
  const oidcVersion = (JSON.parse(readFileSync(`${projectRoot}/node_modules/oidc-provider/package.json`, 'utf8')) as { version: string }).version;
  return [
    'Foyer bench',
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), load average at start ${loadavg}; node ${process.version}, oidc-provider ${oidcVersion}`,
    `The load generator (this process), the server under test and PostgreSQL all share these ${cpu.length} cores, on loopback:`,
    'compare figures with their limits from the same run, not with other machines.',
    `Each scenario: ${WARMUP_SECONDS} s warm-up, then ${SECONDS} s measured. "loop" = custom closed loop of N concurrent workers (node:http keep-alive`,
    `client), "conn" = autocannon with N connections. One sign-in = 6 requests from a fresh cookie jar (GET /auth, sign-in page,`,
    `POST identify answered with the password page, POST password, back to /auth/:uid → code, POST /token with PKCE), over ${USERS} accounts.`,
    `One passkey sign-in = 6 requests (GET /auth, sign-in page, POST passkey options, POST the signed assertion, back to`,
    `/auth/:uid → code, POST /token with PKCE), over ${USERS} more accounts signed up through the pages beforehand, each`,
    'accepting the passkey offer after sign-up (a P-256 passkey made by the tests\' software authenticator).',
    `One SSO flow = a returning customer's browser (a session from one earlier password sign-in, ${SSO_CONCURRENCY} browsers at once)`,
    'signing in again: GET /auth with a fresh PKCE → (no page when no prompt is due) → code → POST /token; measured at its',
    'most flows/s (closed loop), then paced at half that rate (open loop: latency counted from when each flow was due).',
    ...(BACKENDS.includes('balanced') ? ['Foyer×2/haproxy+pgbouncer = two instances (one secret, one database) behind haproxy (round robin), on PostgreSQL through',
      'pgbouncer in transaction pooling mode, on these same cores: shown beside one instance alone (Foyer/PostgreSQL).'] : []),
    ...(BACKENDS.includes('postgres') && SCALE_LARGE > 0 ? [`Scale line (PostgreSQL): the password sign-in with ${SCALE_SMALL.toLocaleString('en')} accounts, then again once seeding has brought the table`,
      `to ${SCALE_LARGE.toLocaleString('en')} (BENCH_SCALE_ACCOUNTS; 0 leaves it out).`] : []),
  ].join('\n');
}

async function main(): Promise<number> {
  process.stderr.write(`${header()}\n\n`);

  if (wanted('sign-in', 'passkey-sign-in', 'sign-in-large')) {
    progress(`argon2id limit: @node-rs/argon2 verify in-process, concurrency ${SIGN_IN_CONCURRENCY}`);
    try {
      report.argon2 = await argon2Limit({ concurrency: SIGN_IN_CONCURRENCY, warmupMs: 1000, durationMs: 4000, password: PASSWORD });
    } catch (error) {
      progress(`argon2 limit failed: ${(error as Error).message}`);
    }
  }

  if (wanted('refresh', 'client-credentials', 'userinfo')) await bareProvider();
  for (const target of BACKENDS) {
    if (interrupted) break;
    await foyerBackend(target);
  }

  const out = [
    '',
    header(),
    '',
    'Measured',
    measuredTable(report),
    '',
    'ops/s = completed operations (whole sign-in flows, token responses, userinfo responses) per second; "srv cores" = CPU the',
    'server process used (all threads) ÷ wall time; ops/s/core = ops/s ÷ srv cores; "pg cores" = all postgres processes on the',
    'machine; "gen cores" = the load generator (this process); "other cores" = everything else busy on the machine meanwhile',
    '(other people\'s tests, the OS) — when it is high, the figures are low; peak RSS = highest VmRSS sampled every 100 ms.',
    'With two instances, srv cores add up both and peak RSS is the higher of the two; haproxy and pgbouncer count as other cores.',
    '',
    'Against limits measured in this run, and the aims from the issue (reported, never enforced)',
    limitsTable(report),
    '',
    '"per core" figures divide by the server process\'s measured CPU (the figure least disturbed by other load; aims in "per',
    'core" are judged on it, ratio aims on the plain ratio). The bare oidc-provider uses the in-memory adapter and',
    'static clients (no database, no koa app in front) with the same clients, scopes, ES256 key, rotation and resource indicators.',
    'Passkey sign-in has no limit of its own: no argon2id in its path, and no bare equivalent (the bare provider has no sign-in',
    'pages), so it is shown beside the password sign-in of the same server; the issue sets no aim for it.',
    ...report.backends.map((b) => {
      const lines = b.complaints ?? [];
      const distinct = [...new Set(lines.map((l) => l.slice(0, 220)))];
      return `Server log on ${b.target}: ${lines.length === 0 ? 'no warnings or errors' : `${lines.length} warning/error line(s), e.g. ${distinct.slice(0, 2).join(' | ')}`}`;
    }),
    ...(() => {
      const other = otherLoad(report);
      if (other === undefined) return [];
      return [other > 0.25
        ? `WARNING: other processes kept ${other.toFixed(2)} of ${cpus().length} cores busy on average while measuring; every figure is depressed by that.`
        : `Other processes kept ${other.toFixed(2)} cores busy on average while measuring.`];
    })(),
    `Load average at end: ${loadAverage()}. Total bench time: ${((performance.now() - began) / 1000).toFixed(0)} s.`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  const failed = report.rows.filter((r) => r.failure);
  if (failed.length) {
    process.stdout.write(`\n${failed.length} scenario(s) could not be measured; the bench exits 1.\n`);
    return 1;
  }
  return 0;
}

main().then(
  async (code) => {
    await runCleanups();
    process.exit(code);
  },
  async (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    await runCleanups();
    killAllChildren();
    process.exit(1);
  },
);
