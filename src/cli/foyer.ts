#!/usr/bin/env node
// The `foyer` command. Opens the database itself, or, when a running server holds the embedded
// database, hands the command to that server over its control socket.
import { text } from 'node:stream/consumers';
import { ConfigError, loadConfig } from '../config/load.ts';
import { createDb } from '../db/create-db.ts';
import { acquireDataDirLock, lockHolder } from '../db/data-dir-lock.ts';
import { migrateLatest } from '../db/migrate.ts';
import { createLogger } from '../log.ts';
import { createServices } from '../compose.ts';
import { runCommand } from './commands.ts';
import { sendControlCommand } from './control-socket.ts';

async function main(argv: string[]): Promise<number> {
  const { config } = loadConfig();
  const needsStdin = argv.includes('--password-stdin');
  const stdin = needsStdin ? await text(process.stdin) : undefined;
  const write = (result: { stdout: string; stderr: string; exitCode: number }) => {
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.exitCode;
  };
  if (!config.databaseUrl && lockHolder(config.dataDir)) return write(await sendControlCommand(config.dataDir, argv, stdin));

  const lock = config.databaseUrl ? undefined : acquireDataDirLock(config.dataDir);
  const handle = createDb({ databaseUrl: config.databaseUrl, pgliteDir: config.databaseUrl ? undefined : config.dataDir + '/pgdata', poolMax: 2 });
  try {
    await migrateLatest(handle.db);
    const services = createServices(config, handle.db, createLogger('silent'));
    return write(await runCommand(argv, { services, readStdin: async () => stdin ?? '' }));
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
