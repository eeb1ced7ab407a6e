// Owns the guard on Foyer's own calls to other servers (webhooks, social-login upstreams): only public
// addresses unless OUTBOUND_ALLOW_PRIVATE, checked on the address actually connected to (a host name whose
// DNS points at an internal host is refused as well as a literal address), so a URL an admin typed or an
// upstream's discovery document named cannot reach loopback, private or link-local services.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export const PRIVATE_HINT = 'private and loopback addresses are refused unless OUTBOUND_ALLOW_PRIVATE is set';

/** Why an address is refused, or undefined for a public unicast address. */
export function refusedAddress(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : `${address} is a ${range} address`;
}

export class RefusedAddress extends Error {}

/** Why the URL's host, when it is a literal address, is refused (names are checked when they resolve). */
export function refusedLiteralHost(url: URL, allowPrivate: boolean): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return !allowPrivate && isIP(host) ? refusedAddress(host) : undefined;
}

/**
 * Why a URL an administrator registers is refused (its literal address, or what its host name resolves to now,
 * is not public), or undefined. A name that does not resolve now is accepted: every delivery checks again.
 */
export async function refusedUrl(url: URL, allowPrivate: boolean): Promise<string | undefined> {
  if (allowPrivate) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return refusedAddress(host);
  const addresses = await new Promise<LookupAddress[]>((resolve) => {
    dnsLookup(host, { all: true }, (error, found) => resolve(error ? [] : found));
  });
  return addresses.map((a) => refusedAddress(a.address)).find(Boolean);
}

/** A DNS lookup for node:http that refuses a name resolving to any non-public address. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
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

export interface GuardedFetchOptions {
  allowPrivate: boolean;
  /** Answers longer than this are cut off (an error). */
  maxBytes?: number;
}

type FetchInit = { method?: string; headers?: Record<string, string>; body?: BodyInit | null; signal?: AbortSignal | undefined };

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function responseHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    for (const v of [value ?? []].flat()) headers.append(name, v);
  }
  return headers;
}

/**
 * A fetch (for openid-client's customFetch) through the guard: redirects are not followed, the answer is read
 * whole up to `maxBytes`. Fails with RefusedAddress for a refused address.
 */
export function guardedFetch(options: GuardedFetchOptions): (url: string, init: FetchInit) => Promise<Response> {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return async (url, init) => {
    const target = new URL(url);
    const refused = refusedLiteralHost(target, options.allowPrivate);
    if (refused) throw new RefusedAddress(`${refused}; ${PRIVATE_HINT}`);
    const body = init.body == null ? undefined : Buffer.from(await new Response(init.body).arrayBuffer());
    const headers: Record<string, string> = { ...init.headers };
    if (init.body instanceof URLSearchParams && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    if (body) headers['content-length'] = String(body.length);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const request = send(target, { method: init.method ?? 'GET', headers, lookup: guardedLookup(options.allowPrivate), signal: init.signal }, (response) => {
        const chunks: Buffer[] = [];
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > maxBytes) return response.destroy(new Error(`the answer of ${target.origin} is longer than ${maxBytes} bytes`));
          chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 502;
          resolve(new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), { status, statusText: response.statusMessage ?? '', headers: responseHeaders(response.headers) }));
        });
      });
      request.on('error', (error: Error) => reject(error instanceof RefusedAddress ? new RefusedAddress(`${error.message}; ${PRIVATE_HINT}`) : error));
      request.end(body);
    });
  };
}
