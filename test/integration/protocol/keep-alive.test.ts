// Idle keep-alive connections are left to the client to close: the server announces a keep-alive longer
// than clients' own (fetch: 4 s, load balancers: 60 s), so a connection is never reused just as the server
// drops it (which the client sees as ECONNRESET).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.stop());

describe('keep-alive', () => {
  it('is announced longer than any client keeps an idle connection', async () => {
    const header = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } }, (res) => {
        res.resume();
        resolve(res.headers['keep-alive'] as string | undefined);
      });
      req.on('error', reject);
      req.end();
    });
    expect(Number(/timeout=(\d+)/.exec(header ?? '')?.[1])).toBeGreaterThan(60);
  });
});
