// Owns /admin/api/clients: the relying apps registered with Foyer, with the same rules as `foyer clients add`
// (src/clients/rules.ts); a generated secret is shown once. Foyer's own client (the account portal) is read-only.
import { z } from 'zod';
import { CLIENT_MFA_POLICIES } from '../../authn/mfa/policy.ts';
import { fieldKeySchema } from '../../config/profile-fields.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import {
  CLIENT_ID_PATTERN, CLIENT_ID_RULE, clientInputProblem, clientRuleLookups, GRANT_TYPES, httpUrlSchema, MIN_CLIENT_SECRET_LENGTH, SCOPE_NAME, type NamedClientField,
} from '../../clients/rules.ts';
import { ClientExistsError, ID_TOKEN_ALGS, TOKEN_AUTH_METHODS, type ClientChange, type ClientInput } from '../../clients/input.ts';
import { ADMIN_CLIENT_ID, PORTAL_CLIENT_ID } from '../../clients/own-pages.ts';
import { MAX_PROFILE_PER_VISIT } from '../../profile/client-needs.ts';
import type { Services } from '../../compose.ts';
import type { ClientView } from '../../oidc/clients.ts';
import { idParam, openApi, type AdminSection } from '../types.ts';
import { filters, listSpec, matches, pageOfList } from '../list-query.ts';

// oidc-provider refuses redirect URIs with a fragment when it loads the client: refuse them here instead.
const uri = httpUrlSchema('schema.http_url').max(2000).refine((u) => !u.includes('#'), 'schema.url.fragment');
const ids = z.array(z.string().min(1).max(200)).max(50);
const profileKeys = z.array(fieldKeySchema).max(100);

const changeShape = {
  client_name: z.string().trim().min(1, 'schema.name.required').max(200),
  redirect_uris: z.array(uri).max(50),
  post_logout_redirect_uris: z.array(uri).max(50),
  scope: z.string().max(2000).refine((s) => s.split(/\s+/).filter(Boolean).every((t) => SCOPE_NAME.test(t)), 'schema.scope.list'),
  grant_types: z.array(z.enum(GRANT_TYPES, 'schema.not_one_of')).max(GRANT_TYPES.length),
  first_party: z.boolean(),
  backchannel_logout_uri: uri.nullable(),
  mfa: z.enum(CLIENT_MFA_POLICIES, 'schema.not_one_of'),
  documents: ids,
  connectors: ids.nullable(),
  profile_required: profileKeys,
  profile_optional: profileKeys,
  profile_per_visit: z.number().int().min(0).max(MAX_PROFILE_PER_VISIT),
  id_token_signed_response_alg: z.enum(ID_TOKEN_ALGS, 'schema.not_one_of'),
  token_endpoint_auth_method: z.enum(TOKEN_AUTH_METHODS, 'schema.client.token_auth_method'),
  jwks_uri: uri.nullable(),
};

export const clientInputSchema = z.object({
  client_id: z.string().regex(CLIENT_ID_PATTERN, CLIENT_ID_RULE),
  public: z.boolean().default(false),
  client_secret: z.string().min(MIN_CLIENT_SECRET_LENGTH, 'schema.text.at_least').max(512).optional(),
  ...z.object(changeShape).partial().shape,
  redirect_uris: changeShape.redirect_uris.default([]),
}).strict();

/** A change: only what is sent changes; null clears the back-channel logout URI, or the connector list (all enabled ones again). */
export const clientChangeSchema = z.object(changeShape).partial().strict()
  .refine((c) => Object.keys(c).length > 0, 'schema.change.empty');

// The API's member names and the ClientInput fields they fill.
const FIELDS = {
  client_id: 'clientId', client_name: 'name', redirect_uris: 'redirectUris', post_logout_redirect_uris: 'postLogoutRedirectUris', public: 'public',
  client_secret: 'secret', scope: 'scope', grant_types: 'grantTypes', first_party: 'firstParty', backchannel_logout_uri: 'backchannelLogoutUri',
  mfa: 'mfa', documents: 'documents', connectors: 'connectors', profile_required: 'profileRequired', profile_optional: 'profileOptional',
  profile_per_visit: 'profilePerVisit', id_token_signed_response_alg: 'idTokenAlg', token_endpoint_auth_method: 'tokenAuthMethod', jwks_uri: 'jwksUri',
} as const satisfies Record<string, keyof ClientInput>;

const memberOf = (field: NamedClientField) => Object.keys(FIELDS).find((k) => FIELDS[k as keyof typeof FIELDS] === field) ?? field;

/** The members sent, as ClientInput fields; null becomes undefined (cleared). */
function fieldsOf(body: Partial<Record<keyof typeof FIELDS, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).map(([member, value]) => [FIELDS[member as keyof typeof FIELDS], value ?? undefined]));
}

async function refuseProblem(input: ClientInput, services: Services): Promise<void> {
  const problem = await clientInputProblem(input, clientRuleLookups(services), memberOf);
  if (problem) throw new AppError('request.invalid', problem, 400);
}

const notFound = () => new AppError('client.not_found', 'There is no such client.', 404);

/** Foyer's own clients are kept as the server needs them: a 409 for any change. */
export function assertChangeable(id: string): void {
  if (id === PORTAL_CLIENT_ID || id === ADMIN_CLIENT_ID) {
    throw new AppError('client.protected', `${id} is Foyer's own client (${id === PORTAL_CLIENT_ID ? 'the account portal' : 'the admin pages'}): the server keeps it as it must be, so it cannot be changed or removed.`, 409);
  }
}

// The operations the API's routes and the admin pages share: input already checked with the schemas above.
/** Registers a client (a confidential one's generated secret is in the answer only). */
export async function registerClient(services: Services, body: z.infer<typeof clientInputSchema>): Promise<ClientView> {
  const input = fieldsOf(body) as unknown as ClientInput;
  await refuseProblem(input, services);
  try {
    return await services.clients.addClient(input);
  } catch (error) {
    if (error instanceof ClientExistsError) throw new AppError('client.exists', error.message, 409);
    throw error;
  }
}

/** Changes what `body` carries; the whole result must pass the same rules as a registration. */
export async function changeClient(services: Services, id: string, body: z.infer<typeof clientChangeSchema>): Promise<ClientView> {
  assertChangeable(id);
  const change = fieldsOf(body) as ClientChange;
  const current = await services.clients.clientInput(id);
  if (!current) throw notFound();
  await refuseProblem({ ...current, ...change }, services);
  const updated = await services.clients.updateClient(id, change);
  if (!updated) throw notFound();
  return updated;
}

/** A new secret for a confidential client, or a 409 saying why it has none. */
export async function rotateClientSecret(services: Services, id: string): Promise<string> {
  assertChangeable(id);
  const secret = await services.clients.rotateClientSecret(id);
  if (secret) return secret;
  const found = await services.clients.showClient(id);
  if (!found) throw notFound();
  throw new AppError('client.public', found.token_endpoint_auth_method === 'private_key_jwt' ? `${id} authenticates with private_key_jwt: it has no secret (rotate the keys at its jwks_uri).` : `${id} is a public client: it has no secret (it uses PKCE).`, 409);
}

/** GET /clients: oldest first (the order they were registered in). */
const clientList = listSpec({
  q: filters.text('Part of the client id or name (any case)'),
  first_party: filters.flag('Only first-party apps (true) or only the others (false)'),
  grant_type: filters.oneOf(GRANT_TYPES, 'Only apps that may use this grant'),
  public: filters.flag('Only public apps (PKCE, no secret: true) or only confidential ones (false)'),
});

const client = {
  type: 'object',
  properties: {
    client_id: { type: 'string' }, client_name: { type: 'string' }, redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' } },
    post_logout_redirect_uris: { type: 'array', items: { type: 'string', format: 'uri' } }, grant_types: { type: 'array', items: { type: 'string' } },
    scope: { type: 'string', description: 'OpenID scopes and API scopes, space-separated' }, token_endpoint_auth_method: { enum: ['none', ...TOKEN_AUTH_METHODS] },
    id_token_signed_response_alg: { enum: [...ID_TOKEN_ALGS] }, jwks_uri: { type: 'string', format: 'uri', description: 'private_key_jwt clients: where their public keys are' },
    first_party: { type: 'boolean' }, mfa: { enum: [...CLIENT_MFA_POLICIES] }, documents: { type: 'array', items: { type: 'string' } },
    profile_required: { type: 'array', items: { type: 'string' } }, profile_optional: { type: 'array', items: { type: 'string' } },
    profile_per_visit: { type: ['integer', 'null'] }, connectors: { type: 'array', items: { type: 'string' }, description: 'Absent: every enabled connector' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

export const clientsSection: AdminSection = {
  id: 'clients',
  routes(router, deps) {
    const { services } = deps;
    const { clients, log } = services;
    const id = (ctx: Parameters<typeof idParam>[0]) => idParam(ctx, 'clientId', 'client');
    router.get('/clients', async (ctx) => {
      const query = clientList.read(ctx);
      const found = (await clients.listClients()).filter((c) => matches(query.q, c.client_id, c.client_name)
        && (query.first_party === undefined || c.first_party === query.first_party)
        && (query.grant_type === undefined || c.grant_types.includes(query.grant_type))
        && (query.public === undefined || (c.token_endpoint_auth_method === 'none') === query.public));
      const page = pageOfList(found, (c) => ({ key: c.created_at, id: c.client_id }), query);
      ctx.body = { clients: page.items, next_cursor: page.next_cursor };
    });
    router.post('/clients', async (ctx) => {
      const created = await registerClient(services, jsonBody(ctx, clientInputSchema));
      log.info({ clientId: created.client_id, by: ctx.state.adminClientId }, 'admin API: client added');
      ctx.status = 201;
      ctx.set('Location', `/admin/api/clients/${created.client_id}`);
      ctx.body = created;
    });
    router.get('/clients/:clientId', async (ctx) => {
      const found = await clients.showClient(id(ctx));
      if (!found) throw notFound();
      ctx.body = found;
    });
    router.patch('/clients/:clientId', async (ctx) => {
      const clientId = id(ctx);
      assertChangeable(clientId);
      const body = jsonBody(ctx, clientChangeSchema);
      ctx.body = await changeClient(services, clientId, body);
      log.info({ clientId, fields: Object.keys(body), by: ctx.state.adminClientId }, 'admin API: client changed');
    });
    router.delete('/clients/:clientId', async (ctx) => {
      const clientId = id(ctx);
      assertChangeable(clientId);
      // Its grants and tokens go with it, as with `foyer clients remove`.
      if (!(await clients.removeClient(clientId))) throw notFound();
      log.info({ clientId, by: ctx.state.adminClientId }, 'admin API: client removed');
      ctx.status = 204;
    });
    router.post('/clients/:clientId/rotate-secret', async (ctx) => {
      const clientId = id(ctx);
      const secret = await rotateClientSecret(services, clientId);
      log.info({ clientId, by: ctx.state.adminClientId }, 'admin API: client secret rotated');
      ctx.body = { client_id: clientId, client_secret: secret };
    });
  },
  openapi() {
    const { json, errors, notFound, pathParams } = openApi;
    const conflict = (description: string) => ({ 409: { description, ...openApi.problemContent } });
    return {
      schemas: {
        Client: client,
        ClientWithSecret: { allOf: [{ $ref: '#/components/schemas/Client' }, { type: 'object', properties: { client_secret: { type: 'string', description: 'The generated secret of a confidential client, shown only here' } } }] },
        ClientInput: z.toJSONSchema(clientInputSchema, { io: 'input', unrepresentable: 'any' }),
        ClientChange: z.toJSONSchema(clientChangeSchema, { io: 'input', unrepresentable: 'any' }),
      },
      paths: {
        '/clients': {
          get: { summary: 'List clients, oldest first, paged', parameters: clientList.parameters, responses: { 200: { description: 'A page of clients', ...json({ type: 'object', properties: { clients: { type: 'array', items: { $ref: '#/components/schemas/Client' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' } } }) }, ...errors } },
          post: {
            summary: 'Register a relying app; a confidential one\'s generated secret is in this answer only',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/ClientInput' }) },
            responses: { 201: { description: 'Registered', ...json({ $ref: '#/components/schemas/ClientWithSecret' }) }, ...errors, ...conflict('A client with that id exists') },
          },
        },
        '/clients/{clientId}': {
          parameters: pathParams('clientId'),
          get: { summary: 'A client (never its secret)', responses: { 200: { description: 'The client', ...json({ $ref: '#/components/schemas/Client' }) }, ...notFound('client'), ...errors } },
          patch: {
            summary: 'Change a client (only what is sent changes); it applies to the next request. Moving to private_key_jwt drops the secret; moving from it to a secret method answers with a new client_secret, shown only here',
            requestBody: { required: true, ...json({ $ref: '#/components/schemas/ClientChange' }) },
            responses: { 200: { description: 'Changed', ...json({ $ref: '#/components/schemas/ClientWithSecret' }) }, ...notFound('client'), ...errors, ...conflict('Foyer\'s own client cannot be changed') },
          },
          delete: { summary: 'Remove a client, its grants and its tokens', responses: { 204: { description: 'Removed' }, ...notFound('client'), ...errors, ...conflict('Foyer\'s own client cannot be removed') } },
        },
        '/clients/{clientId}/rotate-secret': {
          parameters: pathParams('clientId'),
          post: {
            summary: 'A new secret for a confidential client; the old one stops working at once',
            responses: { 200: { description: 'The new secret', ...json({ type: 'object', properties: { client_id: { type: 'string' }, client_secret: { type: 'string' } } }) }, ...notFound('client'), ...errors, ...conflict('A public or private_key_jwt client has no secret') },
          },
        },
      },
    };
  },
};
