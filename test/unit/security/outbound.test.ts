// The outbound guard's fetch (openid-client's customFetch for social-login upstreams): loopback and
// private addresses are refused, by literal or by a name resolving to them, unless allowed; an allowed call
// passes method, headers, form bodies and the answer through unchanged, and follows no redirect.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch, RefusedAddress } from '../../../src/security/outbound.ts';

let server: Server;
let port: number;
const received: { method: string; type: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => {
      received.push({ method: req.method ?? '', type: req.headers['content-type'], body });
      if (req.url === '/moved') return res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      res.writeHead(201, { 'content-type': 'application/json', 'x-seen': 'yes' }).end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the guarded fetch', () => {
  it('refuses loopback and private addresses, literal or by name, and sends nothing', async () => {
    const fetchPublicOnly = guardedFetch({ allowPrivate: false });
    for (const url of [`http://127.0.0.1:${port}/x`, `http://localhost:${port}/x`, 'http://10.0.0.1/x', 'http://[::1]/x', 'http://169.254.169.254/latest']) {
      await expect(fetchPublicOnly(url, { method: 'GET' }), url).rejects.toBeInstanceOf(RefusedAddress);
    }
    expect(received).toEqual([]);
  });

  it('passes an allowed call through: method, form body, status, headers and body; no redirect followed', async () => {
    const fetchAny = guardedFetch({ allowPrivate: true });
    const res = await fetchAny(`http://localhost:${port}/token`, { method: 'POST', headers: { accept: 'application/json' }, body: new URLSearchParams({ grant_type: 'authorization_code', code: 'c' }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-seen')).toBe('yes');
    expect(await res.json()).toEqual({ ok: true });
    expect(received.at(-1)).toEqual({ method: 'POST', type: 'application/x-www-form-urlencoded;charset=UTF-8', body: 'grant_type=authorization_code&code=c' });
    const moved = await fetchAny(`http://127.0.0.1:${port}/moved`, { method: 'GET' });
    expect(moved.status).toBe(302);
    expect(received).toHaveLength(2);
  });
});
