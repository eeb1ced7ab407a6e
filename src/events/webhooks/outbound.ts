// Owns posting to a downstream system's URL: only to public addresses unless OUTBOUND_ALLOW_PRIVATE (the
// check runs on the address actually connected to, so DNS cannot point a name at an internal host), no
// redirects followed, a time limit, and at most a few KB of the answer read.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

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

/** Why an address is refused, or undefined for a public unicast address. */
export function refusedAddress(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : `${address} is a ${range} address`;
}

class RefusedAddress extends Error {}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = allowPrivate ? undefined : addresses.map((a) => refusedAddress(a.address)).find(Boolean);
      if (refused) return callback(new RefusedAddress(refused), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

const PRIVATE_HINT = 'private and loopback addresses are refused unless OUTBOUND_ALLOW_PRIVATE is set';

/** POSTs `body` as JSON; a 2xx answer is success, anything else (redirects too) a failure with its reason. */
export async function postJson(url: string, body: string, headers: Record<string, string>, options: OutboundOptions): Promise<OutboundResult> {
  const target = new URL(url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !options.allowPrivate) {
    const refused = refusedAddress(host);
    if (refused) return { ok: false, error: `not sent: ${refused}; ${PRIVATE_HINT}` };
  }
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
