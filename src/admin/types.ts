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

const PROBLEM = { $ref: '#/components/schemas/Problem' };
/** The body of every error answer: RFC 9457 problem details (problem.ts). */
const problemContent = { content: { 'application/problem+json': { schema: PROBLEM } } };
const problem = (description: string) => ({ description, ...problemContent });

/** Shared pieces of the OpenAPI document. */
export const openApi = {
  error: PROBLEM,
  problemContent,
  problem,
  json: (schema: unknown) => ({ content: { 'application/json': { schema } } }),
  /** What every operation may answer besides its own: invalid input, no or a bad token, too little scope, the database away. */
  errors: {
    400: problem('Invalid input (a parameter, the JSON body, its encoding); the detail names the field'),
    401: {
      ...problem('No access token, or one that is invalid, expired or not for this API (error invalid_token)'),
      headers: { 'WWW-Authenticate': { description: 'Bearer scope="admin" without a token; Bearer error="invalid_token", scope="admin" with one', schema: { type: 'string' } } },
    },
    403: {
      ...problem('A valid access token without the scope: admin:read (or admin) to read, admin to change (error insufficient_scope), or from a client no longer registered with it'),
      headers: { 'WWW-Authenticate': { description: 'Bearer error="insufficient_scope", scope="admin"', schema: { type: 'string' } } },
    },
    500: problem('An unexpected error: logged on the server, answered without its internals; quote request_id when reporting it'),
    503: {
      ...problem('The database cannot be reached just now; nothing was changed. Retry after Retry-After seconds'),
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } },
    },
  },
  /** What an operation with a JSON body may answer besides `errors`. */
  bodyErrors: {
    413: problem('The body is too large'),
    415: problem('The body is not JSON (Content-Type: application/json)'),
  },
  notFound: (what: string) => ({ 404: problem(`No such ${what}`) }),
  /** A paged list's next_cursor. */
  nextCursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' },
  pathParams: (...names: string[]) => names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
};
