// Hands a request on with the body the input checks read (see body.ts). oidc-provider reads its endpoints'
// bodies itself; finding the stream already consumed, it would fall back to a pre-parsed `req.body` and warn.
import { IncomingMessage } from 'node:http';

/** A copy of `req` (same socket, method, URL and headers) whose body is `body`, its length declared to match. */
export function requestWithBody(req: IncomingMessage, body: string): IncomingMessage {
  const bytes = Buffer.from(body, 'utf8');
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  // The body may have been rewritten (a client secret moved to a header), so its length is declared afresh.
  const headers = { ...req.headers, 'content-length': String(bytes.length) };
  delete headers['transfer-encoding'];
  copy.headers = headers;
  copy.rawHeaders = Object.entries(headers).flatMap(([name, value]) => (Array.isArray(value) ? value.flatMap((v) => [name, v]) : value === undefined ? [] : [name, value]));
  copy.push(bytes);
  copy.push(null);
  copy.complete = true;
  return copy;
}
