// Starts a real Foyer server for a test file: its own database, real SMTP capture, port chosen by the OS.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type Config } from '../../src/config/schema.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { startSmtpCapture, type SmtpCapture } from './smtp-capture.ts';
import { createTestDb } from './test-db.ts';

export interface TestServer extends RunningServer {
  smtp: SmtpCapture;
  config: Config;
  stop(): Promise<void>;
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** `options.log`: a logger of the test's own (to read what the server logs); else one at FOYER_TEST_LOG, silent by default. */
export async function startTestServer(overrides: DeepPartial<Config> = {}, options: { dbHandle?: RunningServer['dbHandle']; log?: Logger } = {}): Promise<TestServer> {
  const smtp = await startSmtpCapture();
  const dbHandle = options.dbHandle ?? await createTestDb();
  const parsed = configSchema.parse({
    port: 0,
    host: '127.0.0.1',
    smtpUrl: smtp.url,
    logLevel: process.env.FOYER_TEST_LOG ?? 'silent',
    // Real argon2id, at the lowest cost the schema allows, so tests stay fast.
    argon2: { memoryCost: 8192, timeCost: 1, parallelism: 1 },
    dataDir: mkdtempSync(join(tmpdir(), 'foyer-test-')),
    // Tests define the profile schema they need; the demo tour test turns the demo profile on.
    demoProfile: false,
    ...overrides,
  });
  const config = { ...parsed, issuer: overrides.issuer ?? 'http://localhost:0', secret: overrides.secret ?? randomBytes(32).toString('base64url') } as Config;
  const server = await startServer({ config, log: options.log ?? createLogger(config.logLevel), dbHandle, controlSocket: false });
  return {
    ...server,
    smtp,
    config: server.services.config,
    async stop() {
      await server.close();
      await smtp.close();
      if (!options.dbHandle) await dbHandle.close();
    },
  };
}
