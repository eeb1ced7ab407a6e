// Owns /admin/api/customers: finding customers (search and filters, paged), one customer's whole picture,
// and the operator's actions on an account, each audited with its actor.
import type { Context } from 'koa';
import { z } from 'zod';
import type { CareOutcome } from '../../accounts/customers/care.ts';
import type { CustomerSummary } from '../../accounts/customers/directory.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { describeCustomer } from '../customer-view.ts';
import { customerFilterOf, customerQuerySchema, listQuery, pagingParameters } from '../list-query.ts';
import { problemResponse } from '../problem.ts';
import { openApi, type AdminDeps, type AdminSection } from '../types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const revokeAppSchema = z.object({ client_id: z.string().min(1).max(200) }).strict();

export const customerJson = (c: CustomerSummary) => ({
  id: c.id, email: c.email, email_verified: c.emailVerified, name: c.name, status: c.status, created_at: c.createdAt.toISOString(),
  last_sign_in_at: c.lastSignInAt?.toISOString() ?? null, has_mfa: c.hasMfa, has_passkey: c.hasPasskey,
});

export const notFoundCustomer = () => new AppError('customer.not_found', 'There is no such customer.', 404);

export function customerIdOf(ctx: Context): string {
  const id = String(ctx.params.id ?? '');
  if (!UUID.test(id)) throw notFoundCustomer();
  return id.toLowerCase();
}

/** The actions, by their path segment; each takes the account, the actor and (revoke-app) the client. */
export const CUSTOMER_ACTIONS = {
  disable: { summary: 'Disable: every sign-in refused, every session ended (back-channel logout), every grant and token revoked', run: (d: AdminDeps, id: string, actor: string) => d.customerCare.disable(id, actor) },
  enable: { summary: 'Enable a disabled account: it gets back the status it had', run: (d: AdminDeps, id: string, actor: string) => d.customerCare.enable(id, actor) },
  unlock: { summary: 'Unlock a throttled sign-in: the customer\'s failure counters are cleared (per-address ceilings stay)', run: (d: AdminDeps, id: string, actor: string) => d.customerCare.unlock(id, actor) },
  'send-password-reset': { summary: 'Mail the customer an invitation to choose a new password ("Forgot password?" on the sign-in page)', run: (d: AdminDeps, id: string, actor: string) => d.customerCare.sendPasswordReset(id, actor) },
  'resend-verification': { summary: 'Mail an unverified customer a single-use link into the account pages; using it verifies the address', run: (d: AdminDeps, id: string, actor: string) => d.customerCare.resendVerification(id, actor) },
  'reset-second-factor': { summary: 'Remove the authenticator app, recovery codes and remembered devices, turn "always ask" off, and mail the customer', run: (d: AdminDeps, id: string, actor: string) => d.customerCare.resetSecondFactor(id, actor) },
  'sign-out-everywhere': { summary: 'End every session (back-channel logout to their apps) and revoke every grant and token', run: (d: AdminDeps, id: string, actor: string) => d.customerCare.signOutEverywhere(id, actor) },
  'revoke-app': { summary: 'End one app\'s access (tokens, back-channel logout) and withdraw its consent in the ledger', run: (d: AdminDeps, id: string, actor: string, clientId?: string) => d.customerCare.revokeApp(id, clientId ?? '', actor) },
  erase: { summary: 'Request erasure: the account is disabled at once and purged after the grace period, unless the customer cancels', run: (d: AdminDeps, id: string, actor: string) => d.customerCare.erase(id, actor) },
} as const satisfies Record<string, { summary: string; run: (d: AdminDeps, id: string, actor: string, clientId?: string) => Promise<CareOutcome<unknown>> }>;

export type CustomerAction = keyof typeof CUSTOMER_ACTIONS;
export const isCustomerAction = (value: string): value is CustomerAction => Object.hasOwn(CUSTOMER_ACTIONS, value);

/** The outcome's result, or the refusal as an AppError. */
export function resultOf<T>(outcome: CareOutcome<T>): T {
  if (outcome.status === 'refused') throw new AppError(outcome.code, outcome.message, outcome.httpStatus);
  return outcome.result;
}

const summary = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The sub' }, email: { type: ['string', 'null'] }, email_verified: { type: 'boolean' }, name: { type: ['string', 'null'] },
    status: { enum: ['lite', 'active', 'restricted', 'disabled', 'erased'] }, created_at: { type: 'string', format: 'date-time' },
    last_sign_in_at: { type: ['string', 'null'], format: 'date-time' }, has_mfa: { type: 'boolean' }, has_passkey: { type: 'boolean' },
  },
} as const;

const query = (name: string, schema: unknown, description: string) => ({ name, in: 'query', required: false, schema, description });

export const customersSection: AdminSection = {
  id: 'customers',
  routes(router, deps) {
    router.get('/customers', async (ctx) => {
      const { filter, page } = customerFilterOf(listQuery(ctx, customerQuerySchema));
      const found = await deps.services.customerDirectory.searchCustomers(filter, page);
      ctx.body = { customers: found.customers.map(customerJson), next_cursor: found.next, next: found.next };
    });
    router.get('/customers/:id', async (ctx) => {
      const view = await describeCustomer(deps.services, deps.clientAccess, customerIdOf(ctx));
      if (!view) throw notFoundCustomer();
      ctx.body = view;
    });
    router.post('/customers/:id/:action', async (ctx) => {
      const id = customerIdOf(ctx);
      const action = String(ctx.params.action);
      if (!isCustomerAction(action)) throw new AppError('customer.no_such_action', `There is no action "${action.slice(0, 40)}": one of ${Object.keys(CUSTOMER_ACTIONS).join(', ')}.`, 404);
      const clientId = action === 'revoke-app' ? jsonBody(ctx, revokeAppSchema).client_id : undefined;
      const outcome: CareOutcome<unknown> = await CUSTOMER_ACTIONS[action].run(deps, id, String(ctx.state.adminActor), clientId);
      const result = resultOf(outcome);
      deps.services.log.info({ accountId: id, action, by: ctx.state.adminClientId }, 'admin API: customer action');
      ctx.body = { id, action, result };
    });
  },
  openapi() {
    const { json } = openApi;
    const problems = openApi.errors;
    const notFound = { 404: problemResponse('No such customer') };
    const actions = Object.fromEntries(Object.entries(CUSTOMER_ACTIONS).map(([name, action]) => [`/customers/{id}/${name}`, {
      parameters: openApi.pathParams('id'),
      post: {
        summary: action.summary,
        ...(name === 'revoke-app' ? { requestBody: { required: true, ...json(z.toJSONSchema(revokeAppSchema, { io: 'input' })) } } : {}),
        responses: {
          200: { description: 'Done', ...json({ type: 'object', properties: { id: { type: 'string' }, action: { type: 'string' }, result: { type: 'object' } } }) },
          ...problems, ...notFound, 409: problemResponse('Not possible in the account\'s state (e.g. it waits for erasure)'),
          ...(name === 'resend-verification' ? { 429: problemResponse('Too many mails to this address just now') } : {}),
        },
      },
    }]));
    return {
      schemas: { CustomerSummary: summary },
      paths: {
        '/customers': {
          get: {
            summary: 'Find customers by email, name or sub, with filters; newest first, paged',
            parameters: [
              query('q', { type: 'string' }, 'Part of an email address or name, or a whole sub'),
              query('status', { enum: ['lite', 'active', 'restricted', 'disabled', 'erased'] }, 'Only this status (erased accounts only when asked for)'),
              query('created_from', { type: 'string', format: 'date-time' }, 'Created at or after'), query('created_to', { type: 'string', format: 'date-time' }, 'Created before'),
              query('last_sign_in_from', { type: 'string', format: 'date-time' }, 'Last signed in at or after'), query('last_sign_in_to', { type: 'string', format: 'date-time' }, 'Last signed in before'),
              query('has_mfa', { type: 'boolean' }, 'Has a second factor (authenticator app, or "always ask")'), query('has_passkey', { type: 'boolean' }, 'Has a passkey'),
              ...pagingParameters,
            ],
            responses: {
              200: { description: 'A page of customers', ...json({ type: 'object', properties: { customers: { type: 'array', items: { $ref: '#/components/schemas/CustomerSummary' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' }, next: { type: ['string', 'null'], description: 'The same as next_cursor (kept for earlier callers)' } } }) },
              ...problems,
            },
          },
        },
        '/customers/{id}': {
          parameters: openApi.pathParams('id'),
          get: {
            summary: 'A customer: addresses, profile values with provenance and the release rule verdict (purpose, legal basis, released, reason), sign-in methods (metadata only), linked accounts, sessions, apps, consents, recent audit events',
            responses: { 200: { description: 'The customer', ...json({ type: 'object' }) }, ...problems, ...notFound },
          },
        },
        ...actions,
      },
    };
  },
};
