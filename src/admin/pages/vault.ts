// Owns the consent vault page (/admin/vault): the same questions as the API's /consent-records (who, what,
// which action, when) with paging, a chart of records per day for each purpose and document version, the
// export as JSON lines or CSV (with a progress bar, views/assets/vault-export.js) and a customer's proof.
// Every read is audited like the API's, with the administrator as the reader.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { isAppError } from '../../errors/app-error.ts';
import { t } from '../../i18n/translate.ts';
import { RECEIPT_JWKS_PATH } from '../../http/consent-routes.ts';
import { auditVaultRead, sendVaultExport, vaultRecordJson } from '../sections/vault.ts';
import { decodeCursor, encodeCursor, readVaultQuery, resolveCustomer, vaultFilterOf, type VaultQuery } from '../vault-query.ts';
import { vaultCharts } from './vault-chart.ts';
import type { AdminPageDeps } from './types.ts';

type Render = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status?: number) => void;

const FORM_FIELDS = ['customer', 'purpose', 'document', 'version', 'client', 'action', 'from', 'to'] as const;
const DAY_MS = 86_400_000;

/** The query string of the form's current question, without the page cursor. */
function questionOf(ctx: Context): string {
  const params = new URLSearchParams();
  for (const field of FORM_FIELDS) {
    const value = ctx.query[field];
    if (typeof value === 'string' && value) params.set(field, value.slice(0, 320));
  }
  return params.toString();
}

export function registerVaultPages(pages: Router, deps: AdminPageDeps, render: Render): void {
  const { services } = deps;
  const vault = services.consentVault;
  const reader = (ctx: Context) => ({ adminAccountId: (ctx.state.admin as { account: { id: string } }).account.id });
  const formOf = (ctx: Context) => Object.fromEntries(FORM_FIELDS.map((f) => [f, typeof ctx.query[f] === 'string' ? String(ctx.query[f]).slice(0, 320) : '']));

  pages.get('/vault', async (ctx) => {
    let query: VaultQuery;
    try {
      query = readVaultQuery(ctx);
    } catch (error) {
      if (!isAppError(error) || !error.expose) throw error;
      return render(ctx, 'admin/vault', { title: t('admin_privacy.vault.title'), error: error.message, form: formOf(ctx), records: [], charts: [] }, 400);
    }
    const customer = await resolveCustomer(services, query.customer);
    const filter = customer === null ? undefined : vaultFilterOf(query, customer);
    const page = filter ? await vault.search(filter, { limit: query.limit, after: decodeCursor(query.cursor) }) : { records: [] };
    // The chart covers the question's range, or the last 30 days.
    const from = query.from ?? new Date(Date.now() - 30 * DAY_MS);
    const stats = filter ? await vault.stats({ ...filter, from }) : [];
    await auditVaultRead({ services }, reader(ctx), 'search', query, customer);
    const question = questionOf(ctx);
    render(ctx, 'admin/vault', {
      title: t('admin_privacy.vault.title'), form: formOf(ctx), question, unknownCustomer: customer === null,
      records: page.records.map((r) => ({ ...vaultRecordJson(r), when: r.createdAt, detailsText: JSON.stringify(r.details) })),
      next: page.next ? `/admin/vault?${question}${question ? '&' : ''}cursor=${encodeCursor(page.next)}` : undefined,
      charts: vaultCharts(stats, from, query.to ?? new Date()),
      proof: customer ? `/admin/vault/proof?customer=${encodeURIComponent(customer)}` : undefined,
    });
  });

  pages.get('/vault/export', async (ctx) => {
    const query = readVaultQuery(ctx);
    const format = ctx.query.format === 'csv' ? 'csv' : 'jsonl';
    await sendVaultExport(ctx, { services }, reader(ctx), query, format);
  });

  pages.get('/vault/proof', async (ctx) => {
    const customer = await resolveCustomer(services, typeof ctx.query.customer === 'string' ? ctx.query.customer.slice(0, 320) : undefined);
    if (!customer) return render(ctx, 'errors/error', { title: t('admin.not_found'), message: t('admin.customer.not_found') }, 404);
    await auditVaultRead({ services }, reader(ctx), 'proof', {}, customer);
    const proofs = await vault.proof(customer);
    ctx.set('Content-Disposition', `attachment; filename="consent-proof-${customer}.json"`);
    ctx.body = { customer, receipts_jwks_uri: `${deps.issuer}${RECEIPT_JWKS_PATH}`, records: proofs.map((p) => ({ ...vaultRecordJson(p.record), receipt: p.receipt ?? null })) };
  });
}
