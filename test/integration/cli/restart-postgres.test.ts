// A restart of an `npm start` server on PostgreSQL keeps sessions, grants and tokens (runs when
// DATABASE_URL is set; a database of its own is created and dropped).
import { join } from 'node:path';
import { describe } from 'vitest';
import { createPgDatabase } from '../../support/cli.ts';
import { restartKeepsSessionsAndTokens } from './restart-scenario.ts';

describe.skipIf(!process.env.DATABASE_URL)('restarting the server on PostgreSQL', { timeout: 180_000 }, () => {
  restartKeepsSessionsAndTokens(async (root) => {
    const database = await createPgDatabase();
    return { target: { dataDir: join(root, 'data'), databaseUrl: database.url }, cleanup: () => database.drop() };
  });
});
