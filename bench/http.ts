// A small keep-alive HTTP/1.1 client on node:http (lighter on the shared CPU than fetch), and a cookie
// jar for the multi-step sign-in. "localhost" is dialled as 127.0.0.1 (the servers listen on IPv4
// loopback) while the Host header keeps the issuer's name.
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export const newAgent = (maxSockets: number) => new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });

export function request(agent: Agent, url: string, init: RequestInit = {}): Promise<Response> {
  const target = new URL(url);
  const headers: Record<string, string> = { host: target.host, ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      agent,
      host: target.hostname === 'localhost' ? '127.0.0.1' : target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      method: init.method ?? 'GET',
      headers,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // Every request is bounded: a stuck server cannot hang a loop.
    req.setTimeout(init.timeoutMs ?? 30_000, () => req.destroy(new Error(`timeout: ${init.method ?? 'GET'} ${target.pathname}`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

export const basicAuth = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq < 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = value === '' || attrs.some((a) => /^\s*expires=.*1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
