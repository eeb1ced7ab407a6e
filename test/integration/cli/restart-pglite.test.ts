// A restart of an `npm start` server on the embedded database keeps sessions, grants and tokens.
import { join } from 'node:path';
import { describe } from 'vitest';
import { restartKeepsSessionsAndTokens } from './restart-scenario.ts';

describe('restarting the server on the embedded database', { timeout: 180_000 }, () => {
  restartKeepsSessionsAndTokens(async (root) => ({ target: { dataDir: join(root, 'data') } }));
});
