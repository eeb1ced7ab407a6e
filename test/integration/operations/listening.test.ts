// Nothing is reachable from the network by default: a loopback issuer means a loopback listener (HOST
// overrides it), and the dev outbox, which shows every code and link, answers only peers on this machine
// (the socket's address, never X-Forwarded-For), whatever address the server listens on.
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenHost, loadConfig } from '../../../src/config/load.ts';
import { createOperationsRouter } from '../../../src/http/operations.ts';
import { routerStatusFrom } from '../../support/fake-peer.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let loopback: TestServer;
let everywhere: TestServer;

beforeAll(async () => {
  // No HOST: the default for a loopback issuer (the test server's is http://localhost:<port>).
  loopback = await startTestServer({ host: undefined, smtpUrl: undefined });
  // HOST set: honoured, even for a loopback issuer.
  everywhere = await startTestServer({ host: '0.0.0.0', smtpUrl: undefined });
});
afterAll(async () => {
  await loopback?.stop();
  await everywhere?.stop();
});

/** The dev outbox's answer to a GET from `remoteAddress`. */
const outboxFrom = (server: TestServer, remoteAddress: string, headers: Record<string, string> = {}) =>
  routerStatusFrom(createOperationsRouter({ db: server.services.db, views: server.services.views, devOutbox: server.services.devOutbox }), remoteAddress, '/dev/outbox', headers);

describe('the listening address', () => {
  it('is loopback for a loopback issuer, HOST when set, and every interface for a public issuer', async () => {
    expect(loopback.address.address).toBe('127.0.0.1');
    expect(everywhere.address.address).toBe('0.0.0.0');
    const dataDir = everywhere.config.dataDir;
    expect(listenHost(loadConfig({ FOYER_DATA_DIR: dataDir }).config)).toBe('127.0.0.1');
    expect(listenHost(loadConfig({ FOYER_DATA_DIR: dataDir, ISSUER: 'http://[::1]:3000' }).config)).toBe('::1');
    expect(listenHost(loadConfig({ FOYER_DATA_DIR: dataDir, HOST: '192.0.2.1' }).config)).toBe('192.0.2.1');
    expect(listenHost(loadConfig({ FOYER_DATA_DIR: dataDir, ISSUER: 'https://id.example.com' }).config)).toBeUndefined();
  });
});

describe('the dev outbox', () => {
  it('answers a peer on this machine, and 404 to any other peer or a forwarded request, whatever the bind address', async () => {
    expect((await fetch(`http://127.0.0.1:${everywhere.address.port}/dev/outbox`)).status).toBe(200);
    expect(await outboxFrom(everywhere, '127.0.0.1')).toBe(200);
    expect(await outboxFrom(everywhere, '::ffff:127.0.0.1')).toBe(200);
    expect(await outboxFrom(everywhere, '192.0.2.10')).toBe(404);
    expect(await outboxFrom(everywhere, 'fd00::10')).toBe(404);
    // A proxy on this machine forwarding the network: its socket is loopback, its request is not.
    expect(await outboxFrom(everywhere, '127.0.0.1', { 'x-forwarded-for': '127.0.0.1' })).toBe(404);
    const forwarded = await fetch(`http://127.0.0.1:${everywhere.address.port}/dev/outbox.json`, { headers: { 'x-forwarded-for': '127.0.0.1' } });
    expect(forwarded.status).toBe(404);
  });

  const external = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;
  it.skipIf(!external)('answers 404 over the network to a server listening on every interface', async () => {
    expect((await fetch(`http://${external}:${everywhere.address.port}/dev/outbox`)).status).toBe(404);
    expect((await fetch(`http://${external}:${everywhere.address.port}/healthz`)).status).toBe(200);
  });
});
