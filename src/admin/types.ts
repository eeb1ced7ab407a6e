// Owns the admin API's extension interface: what a section is (its routes and its part of the OpenAPI
// document) and what every section receives.
import type Router from '@koa/router';
import type { Context } from 'koa';
import type { CustomerCare } from '../accounts/customers/care.ts';
import type { Services } from '../compose.ts';
import type { ClientAccessPort } from '../oidc/client-access.ts';
import { AppError } from '../errors/app-error.ts';

export interface AdminDeps {
  /** Every domain service (type only: edges receive their services, they never build them). */
  services: Services;
  issuer: string;
  /** Called after a change the running Provider must see (clients' scopes, profile scopes and claims). */
  onProtocolChanged?: () => Promise<void>;
  /** An operator's actions on customers, wired to the protocol's sign-out and app revocation. */
  customerCare: CustomerCare;
  /** A customer's apps and sessions (the protocol side). */
  clientAccess: ClientAccessPort;
}

/** A piece of the OpenAPI document: paths (relative to /admin/api) and component schemas. */
export interface OpenApiPart {
  paths: Record<string, unknown>;
  schemas?: Record<string, unknown>;
}

/**
 * One resource of /admin/api (webhooks, clients, …). Routes mount under /admin/api behind the admin token;
 * `openapi` describes them. Sections are listed in sections/index.ts.
 */
export interface AdminSection {
  id: string;
  routes(router: Router, deps: AdminDeps): void;
  openapi(issuer: string): OpenApiPart;
}

const ID = /^[\w.:-]{1,200}$/;

/** A path parameter that can be an id, or a 404 naming what was not found. */
export function idParam(ctx: Context, name: string, what: string): string {
  const value = String(ctx.params[name] ?? '');
  if (!ID.test(value)) throw new AppError(`${what.replaceAll(' ', '_')}.not_found`, `There is no such ${what}.`, 404);
  return value;
}

/** Shared pieces of the OpenAPI document. */
export const openApi = {
  error: { $ref: '#/components/schemas/Error' },
  json: (schema: unknown) => ({ content: { 'application/json': { schema } } }),
  errors: {
    400: { description: 'Invalid input; the message names the field', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    401: {
      description: 'No access token, or one that is invalid, expired or not for this API (error invalid_token)',
      headers: { 'WWW-Authenticate': { description: 'Bearer scope="admin" without a token; Bearer error="invalid_token", scope="admin" with one', schema: { type: 'string' } } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
    403: {
      description: 'A valid access token without the admin scope, or from a client no longer registered with it (error insufficient_scope)',
      headers: { 'WWW-Authenticate': { description: 'Bearer error="insufficient_scope", scope="admin"', schema: { type: 'string' } } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
    503: {
      description: 'The database cannot be reached just now; nothing was changed. Retry after Retry-After seconds',
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    },
  },
  notFound: (what: string) => ({ 404: { description: `No such ${what}`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } }),
  pathParams: (...names: string[]) => names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
};
