// Composition root for a running server: database, migrations, keys, demo seed, Provider, koa app,
// HTTP listener, control socket, sweepers, and an orderly close. main.ts and the tests start it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config/schema.ts';
import { listenHost } from './config/load.ts';
import { createServices, devOutboxEnabled, type Services } from './compose.ts';
import { createDb, type DbHandle } from './db/create-db.ts';
import { acquireDataDirLock, type DataDirLock } from './db/data-dir-lock.ts';
import { migrateLatest } from './db/migrate.ts';
import { prepareEmbeddedDatabase } from './db/prepare-embedded.ts';
import { DEMO_CLIENT_ID, DEMO_SCOPE, demoRedirectUris } from './demo/routes.ts';
import { DEMO_PROFILE_FIELDS, demoProfileActive } from './demo/seed.ts';
import { createApp } from './app.ts';
import { closeHttpServer, closingConnectionsWhileDraining, createLifecycle } from './http/lifecycle.ts';
import { ClientExistsError } from './clients/input.ts';
import { adminClientInput, portalClientInput } from './clients/own-pages.ts';
import type { Logger } from './log.ts';
import { createProviderHost, type ProviderHost } from './oidc/host.ts';
import { runCommand } from './cli/commands.ts';
import { startControlSocket } from './cli/control-socket.ts';

export interface RunningServer {
  url: string;
  /** The address and port the HTTP server listens on. */
  address: AddressInfo;
  /**
   * Stops the server. With `drainMs` (a stop signal), readiness turns 503 at once and the server keeps serving
   * that long, so a load balancer takes it out; then every request received gets its answer and the rest stops,
   * all within the 10 s a SIGTERM allows. Tests close without draining.
   */
  services: Services;
  host: ProviderHost;
  dbHandle: DbHandle;
  close(options?: { drainMs?: number }): Promise<void>;
}

export interface StartOptions {
  config: Config;
  log: Logger;
  /** Use this database instead of opening one from the config (tests). */
  dbHandle?: DbHandle;
  /** Hold the data folder and answer the CLI over its socket (embedded database only). */
  controlSocket?: boolean;
}

const SWEEP_BATCH = 1000;
// What a stop may take after the drain, leaving time of the 10 s for the database and the exit.
const STOP_BUDGET_MS = 8500;
const MIN_FINISH_MS = 1000;

/** The sweeper's purge of erasures whose grace period is over (one short transaction each); never throws. */
export async function sweepErasures(services: Services, log: Logger): Promise<string[]> {
  try {
    const purged = await services.privacy.erasure.purgeDueErasures();
    if (purged.length) log.info({ purged: purged.length }, 'purged erased accounts');
    return purged;
  } catch (err) {
    log.warn({ err }, 'purging erased accounts failed');
    return [];
  }
}

async function seedDemoClient(services: Services): Promise<void> {
  const { config } = services;
  if (!config.demo || config.nodeEnv === 'production' || (await services.clients.countClients()) > 0) return;
  const { redirectUri, postLogoutRedirectUri } = demoRedirectUris(config.issuer);
  try {
    await services.clients.addClient({
      clientId: DEMO_CLIENT_ID, name: 'Demo app', public: true, redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri], scope: DEMO_SCOPE,
    });
  } catch (error) {
    // Instances starting together on a new database: another one seeded it first (and its demo fields).
    if (error instanceof ClientExistsError) return;
    throw error;
  }
  services.log.info({ clientId: DEMO_CLIENT_ID }, 'seeded the demo client');
  if (demoProfileActive(config)) {
    await services.profile.seedFields(DEMO_PROFILE_FIELDS);
    services.log.info({ fields: DEMO_PROFILE_FIELDS.map((f) => f.key) }, 'seeded the demo profile fields');
  }
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { log } = options;
  const embedded = !options.dbHandle && !options.config.databaseUrl;
  const lock: DataDirLock | undefined = embedded ? acquireDataDirLock(options.config.dataDir) : undefined;
  // Until the app is ready the process is alive (healthz 200) but not ready (everything else 503).
  const starting = (req: IncomingMessage, res: ServerResponse) => {
    const alive = req.url === '/healthz';
    res.writeHead(alive ? 200 : 503, { 'content-type': 'application/json', 'retry-after': '1' })
      .end(JSON.stringify(alive ? { status: 'starting' } : { status: 'unavailable', message: 'Foyer is starting.' }));
  };
  const http: Server = createServer(starting);
  // An idle keep-alive connection is closed by the client, never by us first: a client (or a load balancer)
  // that reuses one just as we close it gets ECONNRESET. So longer than clients' idle timeouts (fetch: 4 s,
  // load balancers: 60 s), with the headers timeout above it so a reused connection's request is not cut short.
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;
  try {
    // Listen first, so a port of 0 (tests) yields the issuer before the Provider is built.
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.config.port, listenHost(options.config), () => resolve());
    });
    const port = (http.address() as AddressInfo).port;
    const config: Config = options.config.port === 0 && options.config.issuer.endsWith(':0')
      ? { ...options.config, port, issuer: options.config.issuer.replace(/:0$/, `:${port}`) }
      : options.config;

    const pgdataDir = `${config.dataDir}/pgdata`;
    if (embedded) await prepareEmbeddedDatabase(pgdataDir, { warn: (message) => log.warn(message) });
    const dbHandle = options.dbHandle ?? createDb({ databaseUrl: config.databaseUrl, pgliteDir: pgdataDir });
    await migrateLatest(dbHandle.db);
    // The demo profile counts every sign-in as a visit, so its progressive prompts show in one sitting.
    const services = createServices(demoProfileActive(config) ? { ...config, profile: { ...config.profile, visitGapHours: 0 } } : config, dbHandle.db, log);
    services.metrics.collectProcessMetrics();
    await services.signingKeys.ensureActiveKeys();
    await services.consentRegistry.seed();
    await services.receiptKeys.ensureReceiptKey();
    await seedDemoClient(services);
    // The account portal signs in as a client of this Foyer: always there, in production too.
    await services.clients.ensureClient(portalClientInput(config.issuer, config.brandName));
    // So do the admin pages (/admin), for the accounts in the admins table.
    await services.clients.ensureClient(adminClientInput(config.issuer, config.brandName));
    // Config seeds the profile fields absent from the database; the Provider is built with their scopes and claims.
    await services.profile.seedAndLoad();
    const host = await createProviderHost({ ...services }, services.signingKeys, log);
    host.startWatching(config.keyRefreshSeconds);
    const demo = config.demo && config.nodeEnv !== 'production';
    const lifecycle = createLifecycle();
    const app = createApp({ services, host, log, demo, devOutbox: devOutboxEnabled(config), lifecycle });
    http.off('request', starting);
    http.on('request', closingConnectionsWhileDraining(app.callback(), lifecycle));

    const control = embedded && options.controlSocket !== false
      ? await startControlSocket(config.dataDir, (argv, extras) => runCommand(argv, {
        services, readStdin: async () => extras.stdin ?? '', importSource: extras.importSource, exportSink: extras.exportSink,
        onKeysChanged: async () => void (await host.refreshIfKeysChanged()),
      }))
      : undefined;

    const sweeper = setInterval(() => {
      Promise.all([
        services.oidcModels.sweepExpiredModels(SWEEP_BATCH),
        services.flows.sweepExpiredFlows(SWEEP_BATCH),
        services.throttleQueries.sweepExpired(SWEEP_BATCH),
        services.preferences.sweepConfirmations(SWEEP_BATCH),
        services.portalSessions.sweepExpiredPortalSessions(SWEEP_BATCH),
        services.webhooks.dispatcher.sweepFinished(config.webhooks.keepDays, SWEEP_BATCH),
      ]).catch((err: unknown) => log.warn({ err }, 'sweeping expired rows failed'));
      void sweepErasures(services, log);
    }, 60_000);
    sweeper.unref();
    // Downstream systems get the outbox's events, signed, with retries (src/events/webhooks).
    services.webhooks.dispatcher.start(config.webhooks.pollMilliseconds);

    let closing: Promise<void> | undefined;
    return {
      url: config.issuer,
      address: http.address() as AddressInfo,
      services,
      host,
      dbHandle,
      close({ drainMs = 0 } = {}) {
        closing ??= (async () => {
          lifecycle.startDraining();
          if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
          clearInterval(sweeper);
          host.stop();
          control?.close();
          // In-flight requests and webhook deliveries finish side by side, within what is left of the 10 s
          // (a delivery cut short stays leased and is sent again later: deliveries are at least once).
          const finishMs = Math.max(MIN_FINISH_MS, STOP_BUDGET_MS - drainMs);
          await Promise.all([
            services.webhooks.dispatcher.stop(finishMs),
            // Background imports stop after their current batch; their job records say so (a re-run finishes them).
            services.customerImport.stop(),
            closeHttpServer(http, finishMs),
          ]);
          if (!options.dbHandle) await dbHandle.close();
          lock?.release();
        })();
        return closing;
      },
    };
  } catch (error) {
    http.close();
    lock?.release();
    throw error;
  }
}
