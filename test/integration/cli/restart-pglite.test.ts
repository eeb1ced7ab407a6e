// A restart of an `npm start` server on the embedded database keeps sessions, grants and tokens.
// The embedded database only: the PostgreSQL run (DATABASE_URL set) skips it, as the PGlite run covers it.
import { join } from 'node:path';
import { describe } from 'vitest';
import { restartKeepsSessionsAndTokens } from './restart-scenario.ts';

describe.skipIf(process.env.DATABASE_URL)('restarting the server on the embedded database', { timeout: 180_000 }, () => {
  restartKeepsSessionsAndTokens(async (root) => ({ target: { dataDir: join(root, 'data') } }));
});
