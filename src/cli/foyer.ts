#!/usr/bin/env node
// The `foyer` command. Opens the database itself, or, when a running server holds the embedded
// database, hands the command to that server over its control socket.
import { text } from 'node:stream/consumers';
import { ConfigError, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { acquireDataDirLock, lockHolder, type DataDirLock } from '../db/data-dir-lock.ts';
import { prepareBulkTransfer } from './bulk-transfer.ts';
import { runCommand, usageResult, type CommandEnv, type CommandResult } from './commands.ts';
import { sendControlCommand } from './control-socket.ts';

/** How long a command waits for the embedded database when its holder takes no commands (yet). */
const HOLDER_WAIT_MS = 30_000;

function write(result: CommandResult): number {
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.exitCode;
}

/**
 * Takes the embedded database's lock, or hands the command to the process holding it. A holder
 * without a control socket (another `foyer` command, or a server still starting) is waited for.
 */
async function lockOrHandOver(dataDir: string, handOver: () => Promise<CommandResult>): Promise<{ lock: DataDirLock } | { result: CommandResult }> {
  const deadline = Date.now() + HOLDER_WAIT_MS;
  for (;;) {
    const holder = lockHolder(dataDir);
    if (holder === undefined) {
      try {
        return { lock: acquireDataDirLock(dataDir) };
      } catch (error) {
        if (lockHolder(dataDir) === undefined) throw error; // not a race with another process
      }
    } else {
      try {
        return { result: await handOver() };
      } catch (error) {
        // Nothing listens (yet, or any more): the command was not delivered, so trying again is safe.
        if (!['ENOENT', 'ECONNREFUSED'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      }
      if (Date.now() > deadline) throw new Error(`the data folder ${dataDir} is in use by process ${holder}, which takes no commands; stop it or try again`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function main(argv: string[]): Promise<number> {
  const usage = usageResult(argv);
  if (usage) return write(usage);
  const { config } = loadConfig();
  const needsStdin = argv.includes('--password-stdin');
  const stdin = needsStdin ? await text(process.stdin) : undefined;
  const bulk = prepareBulkTransfer(argv);
  let result: CommandResult;
  try {
    let lock: DataDirLock | undefined;
    const held = config.databaseUrl ? undefined
      : await lockOrHandOver(config.dataDir, () => (bulk ? bulk.handOver(config.dataDir) : sendControlCommand(config.dataDir, argv, stdin)));
    if (held && 'lock' in held) lock = held.lock;
    result = held && 'result' in held ? held.result : await runHere(argv, config, stdin, lock, bulk?.env() ?? {});
  } finally {
    // The progress bar ends before the summary is written.
    await bulk?.finish();
  }
  return write(result);
}

/** Opens the database itself (PostgreSQL, or the embedded one whose lock it holds) and runs the command. */
async function runHere(argv: string[], config: Config, stdin: string | undefined, lock: DataDirLock | undefined, extras: Pick<CommandEnv, 'importSource' | 'exportSink'>): Promise<CommandResult> {
  // Loaded only here: a command handed to the server needs none of this.
  const [{ createDb }, { migrateLatest }, { createLogger }, { createServices }, { prepareEmbeddedDatabase }] = await Promise.all([
    import('../db/create-db.ts'), import('../db/migrate.ts'), import('../log.ts'), import('../compose.ts'), import('../db/prepare-embedded.ts'),
  ]);
  // A data folder no server has started yet gets the prepared initial database, as `npm start` would.
  if (!config.databaseUrl) await prepareEmbeddedDatabase(config.dataDir + '/pgdata');
  const handle = createDb({ databaseUrl: config.databaseUrl, pgliteDir: config.databaseUrl ? undefined : config.dataDir + '/pgdata', poolMax: 2 });
  try {
    // `foyer migrate` migrates itself, so that it reports what it applied.
    if (argv.find((a) => a !== '--json') !== 'migrate') await migrateLatest(handle.db);
    const services = createServices(config, handle.db, createLogger('silent'));
    return await runCommand(argv, { services, readStdin: async () => stdin ?? '', ...extras });
  } finally {
    await handle.close();
    lock?.release();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`foyer: ${error instanceof ConfigError ? error.message : (error as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
