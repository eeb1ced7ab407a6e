// A downstream system receiving Foyer's webhooks: it checks each request's Standard Webhooks signature before
// trusting it. webhook-signature is "v1," + base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>"))
// where the key is the base64 after "whsec_" in the secret `foyer webhooks add` printed. Any Standard Webhooks
// library does the same (in Node: new Webhook(secret).verify(body, headers) from `standardwebhooks`).
//
//   WEBHOOK_SECRET=whsec_… PORT=4001 node examples/webhook-receiver.ts
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FoyerEvent {
  type: string;
  timestamp: string;
  data: { event_id: string; sub: string | null; client_id: string | null; restricted: boolean; details?: unknown; profile?: Record<string, unknown>; withheld?: string[] };
}

/** Five minutes either way: an older (replayed) or future-dated request is refused. */
const TOLERANCE_SECONDS = 5 * 60;

/** The event when the signature holds, else the reason it is refused. */
export function verifyWebhook(secret: string, headers: Record<string, string | string[] | undefined>, body: string, now = Date.now()): { ok: true; event: FoyerEvent } | { ok: false; reason: string } {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return { ok: false, reason: 'missing webhook headers' };
  if (!/^\d+$/.test(timestamp) || Math.abs(now / 1000 - Number(timestamp)) > TOLERANCE_SECONDS) return { ok: false, reason: 'timestamp too old or in the future' };
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  // The header may carry several signatures (during a secret rotation), separated by spaces.
  const valid = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return valid ? { ok: true, event: JSON.parse(body) as FoyerEvent } : { ok: false, reason: 'bad signature' };
}

/** A receiver that answers 204 to a verified event (once per webhook-id: retries repeat the id) and 401 otherwise. */
export async function startWebhookReceiver(options: { secret: string; port: number; onEvent: (event: FoyerEvent) => void }): Promise<{ server: Server; url: string }> {
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const verdict = verifyWebhook(options.secret, req.headers, Buffer.concat(chunks).toString('utf8'));
      if (!verdict.ok) return res.writeHead(401, { 'content-type': 'text/plain' }).end(verdict.reason);
      const id = String(req.headers['webhook-id']);
      if (!seen.has(id)) {
        seen.add(id);
        options.onEvent(verdict.event);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/foyer` };
}

if (import.meta.main) {
  const secret = process.env.WEBHOOK_SECRET;
  if (!secret) throw new Error('set WEBHOOK_SECRET to the secret `foyer webhooks add` printed');
  const { url } = await startWebhookReceiver({ secret, port: Number(process.env.PORT ?? 4001), onEvent: (event) => console.log(JSON.stringify(event)) });
  console.log(`webhook receiver listening on ${url}`);
}
