// Calls the admin API (/admin/api) over real HTTP with a client-credentials token got with openid-client.
import * as oidc from 'openid-client';
import type { RelyingParty } from './relying-party.ts';
import type { TestServer } from './test-server.ts';

export interface AdminCallInit {
  method?: string;
  body?: unknown;
  /** null: no Authorization header; undefined: the caller's token. */
  token?: string | null;
  contentType?: string;
}

export interface AdminAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

export async function adminToken(server: TestServer, rp: RelyingParty): Promise<string> {
  return (await oidc.clientCredentialsGrant(rp.config, { scope: 'admin', resource: `${server.url}/admin/api` })).access_token;
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
      },
      ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) as Record<string, unknown> : undefined };
  };
}
