// Owns /admin/api/audit: reading the audit log (it is append-only: nothing here changes it), filtered by
// actor, target, type and time, newest first, paged.
import type { StoredEvent } from '../../events/outbox.ts';
import { auditFilterOf, auditQuerySchema, listQuery, pagingParameters } from '../list-query.ts';
import { openApi, type AdminSection } from '../types.ts';

export const auditEventJson = (e: StoredEvent) => ({
  id: e.id, type: e.type, actor: e.actor, account_id: e.accountId, client_id: e.clientId, data: e.data, restricted: e.restricted, created_at: e.createdAt.toISOString(),
});

const query = (name: string, schema: unknown, description: string) => ({ name, in: 'query', required: false, schema, description });

export const auditSection: AdminSection = {
  id: 'audit',
  routes(router, deps) {
    router.get('/audit', async (ctx) => {
      const { filter, page } = auditFilterOf(listQuery(ctx, auditQuerySchema));
      const found = await deps.services.auditLog.searchEvents(filter, page);
      ctx.body = { events: found.events.map(auditEventJson), next_cursor: found.next, next: found.next };
    });
  },
  openapi() {
    const event = {
      type: 'object',
      properties: {
        id: { type: 'string' }, type: { type: 'string', description: 'e.g. account.signed_in, account.disabled, mfa.reset, admin.changed' },
        actor: { type: ['string', 'null'], description: 'Who made the change: client:<client id> (the admin API), admin:<sub> (the admin pages), cli:<OS user> (the foyer command); null for the customer\'s own doing or the system' },
        account_id: { type: ['string', 'null'], description: 'The customer the event is about (a tombstone once erased)' }, client_id: { type: ['string', 'null'] },
        data: { type: 'object' }, restricted: { type: 'boolean' }, created_at: { type: 'string', format: 'date-time' },
      },
    };
    return {
      schemas: { AuditEvent: event },
      paths: {
        '/audit': {
          get: {
            summary: 'The audit log, newest first, paged: sign-ins, failures, MFA and passkey changes, key rotation, and every admin change with its actor',
            parameters: [
              query('actor', { type: 'string' }, 'Exactly this actor, e.g. cli:alice or admin:<sub>'),
              query('target', { type: 'string' }, 'The account, client or id a change was about'),
              query('type', { type: 'string' }, 'An event type, or a prefix such as account.*'),
              query('from', { type: 'string', format: 'date-time' }, 'At or after'), query('to', { type: 'string', format: 'date-time' }, 'Before'),
              ...pagingParameters,
            ],
            responses: {
              200: { description: 'A page of events', ...openApi.json({ type: 'object', properties: { events: { type: 'array', items: { $ref: '#/components/schemas/AuditEvent' } }, next_cursor: { type: ['string', 'null'], description: 'The cursor of the next page; null on the last' }, next: { type: ['string', 'null'], description: 'The same as next_cursor (kept for earlier callers)' } } }) },
              ...openApi.errors,
            },
          },
        },
      },
    };
  },
};
