// Owns /admin/api/consent-records and /admin/api/consent-proof: the DPO's consent vault (search with
// paging, counts per day, a streamed export as JSON lines or CSV, a customer's proof of consent with
// receipts that verify against the receipt keys). Every read is itself audited: who looked at whom.
import { Readable } from 'node:stream';
import type { Context } from 'koa';
import type { ConsentRecord } from '../../consent/queries.ts';
import { AppError } from '../../errors/app-error.ts';
import { RECEIPT_JWKS_PATH } from '../../http/consent-routes.ts';
import { pagingParameters } from '../list-query.ts';
import { openApi, type AdminDeps, type AdminSection } from '../types.ts';
import { decodeCursor, encodeCursor, readVaultQuery, resolveCustomer, vaultFilterOf, type VaultQuery } from '../vault-query.ts';

export const vaultRecordJson = (r: ConsentRecord) => ({
  id: r.id, customer: r.accountId || null, kind: r.subjectKind, subject: r.subjectRef, action: r.action, legal_basis: r.legalBasis,
  channel: r.channel, client_id: r.clientId, ip: r.ip, details: r.details, created_at: r.createdAt.toISOString(), erased: r.erasedAt !== null,
});

const CSV_COLUMNS = ['id', 'customer', 'kind', 'subject', 'action', 'legal_basis', 'channel', 'client_id', 'ip', 'created_at', 'erased', 'details'] as const;

/** One CSV field (RFC 4180 quoting); a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const csvLine = (record: ReturnType<typeof vaultRecordJson>) => `${CSV_COLUMNS.map((c) => csvField(record[c])).join(',')}\r\n`;

/** Records a vault read in the audit log: the reader, what was asked, and whose records (when one customer). */
export async function auditVaultRead(deps: Pick<AdminDeps, 'services'>, reader: { clientId?: string; adminAccountId?: string }, what: string, query: Partial<VaultQuery>, customer: string | null | undefined): Promise<void> {
  const filter = Object.fromEntries(Object.entries({ ...query, customer: undefined, cursor: undefined }).filter(([, v]) => v !== undefined).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
  const actor = reader.clientId ? `client:${reader.clientId}` : `admin:${reader.adminAccountId}`;
  await deps.services.events.emit({
    type: 'admin.vault_read', accountId: customer ?? null, clientId: reader.clientId ?? null, actor,
    data: { what, reader: actor, filter },
  });
}

/** The query's filter, or undefined when it names a customer who does not exist (nothing can match). */
async function filterOf(deps: Pick<AdminDeps, 'services'>, query: VaultQuery) {
  const customer = await resolveCustomer(deps.services, query.customer);
  return { customer, filter: customer === null ? undefined : vaultFilterOf(query, customer) };
}

/**
 * Streams every matching record as JSON lines or CSV, with the count first (X-Total-Count) for a progress bar;
 * the read is audited with `reader` as who looked.
 */
export async function sendVaultExport(ctx: Context, deps: Pick<AdminDeps, 'services'>, reader: { clientId?: string; adminAccountId?: string }, query: VaultQuery, format: 'jsonl' | 'csv'): Promise<void> {
  const { customer, filter } = await filterOf(deps, query);
  await auditVaultRead(deps, reader, `export:${format}`, query, customer);
  const vault = deps.services.consentVault;
  const total = filter ? await vault.count(filter) : 0;
  async function* lines() {
    if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
    if (!filter) return;
    for await (const record of vault.stream(filter)) yield format === 'csv' ? csvLine(vaultRecordJson(record)) : `${JSON.stringify(vaultRecordJson(record))}\n`;
  }
  ctx.set('X-Total-Count', String(total));
  ctx.set('Content-Disposition', `attachment; filename="consent-records.${format}"`);
  ctx.type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
  ctx.body = Readable.from(lines());
}

function exportFormat(ctx: Context): 'jsonl' | 'csv' {
  const format = ctx.query.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new AppError('vault.invalid_query', 'format: jsonl or csv', 400);
  return format;
}

export const vaultSection: AdminSection = {
  id: 'vault',
  routes(router, deps) {
    const vault = deps.services.consentVault;
    const reader = (ctx: Context) => ({ clientId: String(ctx.state.adminClientId) });

    router.get('/consent-records', async (ctx) => {
      const query = readVaultQuery(ctx);
      const { customer, filter } = await filterOf(deps, query);
      const page = filter ? await vault.search(filter, { limit: query.limit, after: decodeCursor(query.cursor) }) : { records: [] };
      await auditVaultRead(deps, reader(ctx), 'search', query, customer);
      ctx.body = { records: page.records.map(vaultRecordJson), next_cursor: page.next ? encodeCursor(page.next) : null };
    });

    router.get('/consent-records/stats', async (ctx) => {
      const query = readVaultQuery(ctx);
      // Without a range: the last 30 days.
      const bounded = { ...query, from: query.from ?? new Date(Date.now() - 30 * 86_400_000) };
      const { customer, filter } = await filterOf(deps, bounded);
      await auditVaultRead(deps, reader(ctx), 'stats', bounded, customer);
      ctx.body = { from: bounded.from.toISOString(), to: query.to?.toISOString() ?? null, counts: filter ? await vault.stats(filter) : [] };
    });

    router.get('/consent-records/export', async (ctx) => {
      const query = readVaultQuery(ctx);
      const format = exportFormat(ctx);
      await sendVaultExport(ctx, deps, reader(ctx), query, format);
    });

    router.get('/consent-proof', async (ctx) => {
      const query = readVaultQuery(ctx);
      if (!query.customer) throw new AppError('vault.invalid_query', 'customer: give the email address or the sub of the customer', 400);
      const customer = await resolveCustomer(deps.services, query.customer);
      if (!customer) throw new AppError('customer.not_found', 'There is no such customer.', 404);
      await auditVaultRead(deps, reader(ctx), 'proof', {}, customer);
      const proofs = await vault.proof(customer);
      ctx.body = {
        customer, receipts_jwks_uri: `${deps.issuer}${RECEIPT_JWKS_PATH}`,
        records: proofs.map((p) => ({ ...vaultRecordJson(p.record), receipt: p.receipt ?? null })),
      };
    });
  },
  openapi() {
    const { json, errors } = openApi;
    const record = { $ref: '#/components/schemas/ConsentRecord' };
    const filters = [
      ['customer', 'The customer: an email address or a sub'], ['kind', 'document, client_scopes, purpose or preference'], ['purpose', 'A purpose id'],
      ['document', 'A document id (any version unless version is given)'], ['version', 'A document version (with document)'], ['client', 'A client id (its scope grants)'],
      ['action', 'grant or withdraw'], ['from', 'Earliest time, inclusive (ISO 8601)'], ['to', 'Latest time, exclusive (ISO 8601)'],
    ].map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } }));
    const paging = pagingParameters;
    return {
      schemas: {
        ConsentRecord: {
          type: 'object',
          properties: {
            id: { type: 'string', description: 'Also the receipt id' }, customer: { type: ['string', 'null'], description: 'The sub; null once erased' },
            kind: { enum: ['document', 'client_scopes', 'purpose', 'preference'] }, subject: { type: 'string', description: 'purpose id, document@version, client id or topic:channel' },
            action: { enum: ['grant', 'withdraw'] }, legal_basis: { type: 'string' }, channel: { type: 'string' }, client_id: { type: ['string', 'null'] },
            ip: { type: ['string', 'null'] }, details: { type: 'object' }, created_at: { type: 'string', format: 'date-time' }, erased: { type: 'boolean' },
          },
        },
      },
      paths: {
        '/consent-records': {
          get: {
            summary: 'Search the consent ledger (newest first); the read is audited', parameters: [...filters, ...paging],
            responses: { 200: { description: 'A page of records', ...json({ type: 'object', properties: { records: { type: 'array', items: record }, next_cursor: { type: ['string', 'null'] } } }) }, ...errors },
          },
        },
        '/consent-records/stats': {
          get: {
            summary: 'Records per UTC day, kind, subject (documents per version) and action; the last 30 days unless from is given', parameters: filters,
            responses: { 200: { description: 'The counts', ...json({ type: 'object', properties: { from: { type: 'string' }, to: { type: ['string', 'null'] }, counts: { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, kind: { type: 'string' }, subject: { type: 'string' }, action: { type: 'string' }, count: { type: 'integer' } } } } } }) }, ...errors },
          },
        },
        '/consent-records/export': {
          get: {
            summary: 'Every matching record, streamed as JSON lines (default) or CSV; X-Total-Count gives the number first',
            parameters: [...filters, { name: 'format', in: 'query', required: false, schema: { enum: ['jsonl', 'csv'] } }],
            responses: { 200: { description: 'The records', headers: { 'X-Total-Count': { schema: { type: 'integer' } } }, content: { 'application/x-ndjson': { schema: record }, 'text/csv': { schema: { type: 'string' } } } }, ...errors },
          },
        },
        '/consent-proof': {
          get: {
            summary: "A customer's proof of consent: every ledger record, oldest first, with its signed receipt (verify with receipts_jwks_uri)",
            parameters: [{ name: 'customer', in: 'query', required: true, description: 'An email address or a sub', schema: { type: 'string' } }],
            responses: {
              200: { description: 'The proof', ...json({ type: 'object', properties: { customer: { type: 'string' }, receipts_jwks_uri: { type: 'string' }, records: { type: 'array', items: { allOf: [record, { type: 'object', properties: { receipt: { type: ['string', 'null'], description: 'Compact JWS' } } }] } } } }) },
              ...openApi.notFound('customer'), ...errors,
            },
          },
        },
      },
    };
  },
};
