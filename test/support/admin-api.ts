// The admin API from a test: a client registered with the `admin` scope gets a client-credentials token with
// openid-client, and a caller sends JSON to /admin/api with it (or with another token, or none).
import * as oidc from 'openid-client';
import { createRelyingParty, type RelyingParty } from './relying-party.ts';
import type { TestServer } from './test-server.ts';

export interface AdminCallInit {
  method?: string;
  body?: unknown;
  /** null: no Authorization header; undefined: the caller's token. */
  token?: string | null;
  contentType?: string;
  /** More request headers (e.g. the operator's Accept-Language). */
  headers?: Record<string, string>;
}

export interface AdminAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

export const adminResourceOf = (server: TestServer) => `${server.url}/admin/api`;

export async function adminToken(server: TestServer, rp: RelyingParty): Promise<string> {
  return (await oidc.clientCredentialsGrant(rp.config, { scope: 'admin', resource: adminResourceOf(server) })).access_token;
}

/** A caller of `${serverUrl()}/admin/api…` sending `token()` unless told otherwise; a string body goes as it is. */
export function adminCaller(serverUrl: () => string, token: () => string) {
  return async (path: string, init: AdminCallInit = {}): Promise<AdminAnswer> => {
    const bearer = init.token === null ? undefined : init.token ?? token();
    const res = await fetch(`${serverUrl()}/admin/api${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(init.body !== undefined ? { 'content-type': init.contentType ?? 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) as Record<string, unknown> : undefined };
  };
}

/** Registers an admin client and returns a caller of /admin/api holding its token. */
export async function createAdminApi(server: TestServer, clientId = 'ops') {
  const rp = await createRelyingParty(server, { clientId, name: 'Operations', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin' });
  const token = await adminToken(server, rp);
  return { rp, token, call: adminCaller(() => server.url, () => token) };
}
