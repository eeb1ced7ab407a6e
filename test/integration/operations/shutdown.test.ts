// SIGTERM under load, as an orchestrator sends it: the server runs as `npm start` does (a child process),
// 40 requests are queued on kept-alive connections, then the signal. /readyz turns 503 at once while the instance keeps serving for its
// drain period (so a load balancer takes it out); every request sent before the signal gets a complete
// answer; the process exits 0 (its own 10 s deadline would exit 1).
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgDatabase, removeDir, startServerProcess, tempDir, type ServerProcess } from '../../support/cli.ts';
import type { ScratchDatabase } from '../../support/scratch.ts';
import { onPostgres } from '../../support/test-db.ts';

let server: ServerProcess;
let dataDir: string;
let database: ScratchDatabase | undefined;

beforeAll(async () => {
  dataDir = tempDir('foyer-shutdown-');
  database = onPostgres ? await createPgDatabase() : undefined;
  // The default drain period; info logs show when the signal was taken.
  server = await startServerProcess({ dataDir, databaseUrl: database?.url, extra: { LOG_LEVEL: 'info' } });
});
afterAll(async () => {
  server?.kill();
  await database?.drop();
  removeDir(dataDir);
});

/** A GET through `agent` (a keep-alive pool, as a load balancer or a client library keeps). */
function get(path: string, agent: Agent | false = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('SIGTERM', () => {
  it('answers every request sent before it, turns /readyz 503 at once, serves through the drain, and exits 0', async () => {
    // 40 requests handed to a pool of 4 kept-alive connections: 4 on the wire, 36 queued behind them. The
    // signal comes with the first answer, when the pool starts reusing its connections.
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const paths = ['/.well-known/openid-configuration', '/jwks', '/readyz', '/account/api/overview'];
    let signalled: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
    const sent = Array.from({ length: 40 }, (_, i) => get(paths[i % paths.length]!, agent).then((answer) => {
      signalled ??= server.stop('SIGTERM');
      return answer;
    }));
    await Promise.race(sent);

    // The signal was taken once the process says so; from then on readiness says "stopping".
    while (!server.output().includes('"msg":"shutting down"')) await new Promise((resolve) => setTimeout(resolve, 10));
    const ready = await get('/readyz');
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'stopping' });
    // Still serving during the drain period.
    const during = await get('/.well-known/openid-configuration');
    expect(during.status).toBe(200);

    const answers = await Promise.all(sent);
    answers.forEach((answer, i) => {
      const path = paths[i % paths.length]!;
      // Every request was answered as usual (readiness: 503 once the signal was taken).
      const expected = path === '/account/api/overview' ? 401 : path === '/readyz' ? [200, 503] : 200;
      expect([expected].flat(), `${path}: ${answer.body}`).toContain(answer.status);
      expect(() => JSON.parse(answer.body), `${path}: a complete body`).not.toThrow();
    });

    agent.destroy();
    const { code, signal } = await signalled!;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });
});
