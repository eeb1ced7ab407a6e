// Composition root of `npm start`: load config, start the server, print the issuer, stop on SIGTERM.
// First: sizes libuv's thread pool (argon2 runs there) before anything starts it.
import './security/thread-pool.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { prepareEmbeddedDatabase } from './db/prepare-embedded.ts';
import { createLogger } from './log.ts';

async function main(): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`foyer: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { config, warnings } = loaded;
  const log = createLogger(config.logLevel);
  for (const warning of warnings) log.warn(warning);
  // A first embedded start gets its database before the server's modules are loaded: should the prepared
  // initial database have to be made now (initdb, in a child process), nothing else sits in memory beside it.
  if (!config.databaseUrl) await prepareEmbeddedDatabase(`${config.dataDir}/pgdata`, { warn: (message) => log.warn(message) });
  const { startServer } = await import('./server.ts');
  const server = await startServer({ config, log });
  log.info({ issuer: server.url, listening: `${server.address.address}:${server.address.port}` }, 'Foyer is ready');
  process.stdout.write(`\nFoyer is running at ${server.url}\n  discovery: ${server.url}/.well-known/openid-configuration\n${config.demo && config.nodeEnv !== 'production' ? `  demo app:  ${server.url}/demo\n` : ''}\n`);

  // SIGTERM (an orchestrator or load balancer stopping the instance) drains first; Ctrl-C (SIGINT) stops at once.
  const stop = (signal: string, drainMs: number) => {
    log.info({ signal, drainSeconds: drainMs / 1000 }, 'shutting down');
    const deadline = setTimeout(() => process.exit(1), 10_000);
    deadline.unref();
    server.close({ drainMs }).then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => stop('SIGTERM', config.shutdown.drainSeconds * 1000));
  process.once('SIGINT', () => stop('SIGINT', 0));
}

main().catch((error: unknown) => {
  process.stderr.write(`foyer: could not start: ${(error as Error).message.split('\n')[0]}\n`);
  process.exit(1);
});
