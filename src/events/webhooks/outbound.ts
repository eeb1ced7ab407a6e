// Owns posting to a downstream system's URL: only to public addresses unless OUTBOUND_ALLOW_PRIVATE (the
// check runs on the address actually connected to, so DNS cannot point a name at an internal host), no
// redirects followed, a time limit, and at most a few KB of the answer read.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, PRIVATE_HINT, RefusedAddress, refusedLiteralHost } from '../../security/outbound.ts';

export interface OutboundResult {
  ok: boolean;
  status?: number;
  /** Why it failed, in words fit for an admin's delivery log (never the body sent). */
  error?: string;
}

export interface OutboundOptions {
  allowPrivate: boolean;
  timeoutMs: number;
}

const READ_LIMIT = 4096;

/** POSTs `body` as JSON; a 2xx answer is success, anything else (redirects too) a failure with its reason. */
export async function postJson(url: string, body: string, headers: Record<string, string>, options: OutboundOptions): Promise<OutboundResult> {
  const target = new URL(url);
  const refused = refusedLiteralHost(target, options.allowPrivate);
  if (refused) return { ok: false, error: `not sent: ${refused}; ${PRIVATE_HINT}` };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<OutboundResult>((resolve) => {
    const request = send(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Foyer-Webhooks/1', ...headers },
      lookup: guardedLookup(options.allowPrivate),
      signal: AbortSignal.timeout(options.timeoutMs),
    }, (response) => {
      const status = response.statusCode ?? 0;
      let read = 0;
      response.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > READ_LIMIT) response.destroy();
      });
      const done = () => resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `answered HTTP ${status}` });
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    request.on('error', (error: Error & { code?: string }) => {
      if (error instanceof RefusedAddress) return resolve({ ok: false, error: `not sent: ${error.message}; ${PRIVATE_HINT}` });
      if (error.name === 'TimeoutError' || error.name === 'AbortError') return resolve({ ok: false, error: `no answer within ${Number((options.timeoutMs / 1000).toFixed(1))} s` });
      resolve({ ok: false, error: error.code ? `could not connect (${error.code})` : 'could not connect' });
    });
    request.end(body);
  });
}
