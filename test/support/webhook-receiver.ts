// A downstream system for tests, on loopback: records every webhook request (headers, body, parsed message)
// and answers with the next queued status, 200 when none is queued.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  message: { type: string; timestamp: string; data: Record<string, unknown> };
  /** What the receiver answered. */
  status: number;
}

export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const status = statuses.shift() ?? 200;
      received.push({ headers: req.headers as Record<string, string>, body, message: JSON.parse(body) as ReceivedWebhook['message'], status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/foyer`,
    received,
    statuses,
    /** The first request from index `from` on that `match` accepts, waiting (polling, no fixed sleep) up to 10 s. */
    async waitFor(match: (r: ReceivedWebhook) => boolean, from = 0): Promise<ReceivedWebhook> {
      for (let i = 0; i < 200; i += 1) {
        const hit = received.slice(from).find(match);
        if (hit) return hit;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no matching webhook arrived; got ${received.map((r) => r.message.type).join(', ') || 'none'}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

