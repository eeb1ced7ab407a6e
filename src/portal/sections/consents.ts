// Owns /account/consents and its Account API twin: the customer's purposes (consent to give or withdraw,
// objections to raise or take back), their own consent history, and a signed receipt for any record.
import type { Context } from 'koa';
import { z } from 'zod';
import type { PurposeChoice, PurposeStanding } from '../../consent/purposes.ts';
import type { ConsentRecord } from '../../consent/queries.ts';
import { shownInBrandInView } from '../../brands/request-brand.ts';
import { AppError } from '../../errors/app-error.ts';
import { RECEIPT_JWKS_PATH } from '../../http/consent-routes.ts';
import { t } from '../../i18n/translate.ts';
import { pageLocales } from './page-locales.ts';
import { formatTime, noticeOf } from './shared.ts';
import { channelName, legalBasisName } from './words.ts';
import { jsonBody } from '../../http/json-body.ts';
import type { PortalDeps, PortalSection } from '../types.ts';
import { accountToken, portalState } from '../types.ts';

const RECEIPT_ID = /^rcpt_[0-9a-f-]{36}$/;
const CHOICES = ['grant', 'withdraw', 'object', 'withdraw_objection'] as const;
const choiceSchema = z.enum(CHOICES);

const NOTICES: Record<PurposeChoice, string> = {
  grant: 'portal.consents.done_grant',
  withdraw: 'portal.consents.done_withdraw',
  object: 'portal.consents.done_object',
  withdraw_objection: 'portal.consents.done_withdraw_objection',
};

/** A record in words, for the history table. */
function describeRecord(record: ConsentRecord, names: Map<string, string>): string {
  const d = record.details;
  const name = names.get(record.subjectRef) ?? record.subjectRef;
  switch (record.subjectKind) {
    case 'document':
      return t('portal.consents.record_document', { title: String(d.title ?? d.document ?? record.subjectRef), version: String(d.version ?? '') });
    case 'client_scopes': {
      const app = names.get(`client:${record.subjectRef}`) ?? record.subjectRef;
      if (record.action === 'withdraw') {
        return Array.isArray(d.withdrawn) && d.withdrawn.length ? t('portal.consents.record_removed_scopes', { app, scopes: d.withdrawn.join(', ') }) : t('portal.consents.record_removed', { app });
      }
      const granted = Array.isArray(d.granted) ? d.granted.join(', ') : '';
      return granted ? t('portal.consents.record_allowed', { app, scopes: granted }) : t('portal.consents.record_allowed_nothing', { app });
    }
    case 'purpose':
      if (record.legalBasis !== 'consent') return t(record.action === 'withdraw' ? 'portal.consents.record_objected' : 'portal.consents.record_objection_withdrawn', { name });
      return t(record.action === 'grant' ? 'portal.consents.record_consented' : 'portal.consents.record_consent_withdrawn', { name });
    case 'preference': {
      const [topic = '', channel = ''] = record.subjectRef.split(':');
      const values = { topic: names.get(`topic:${topic}`) ?? topic, channel: channelName(channel) };
      return t(record.action === 'grant' ? 'portal.consents.record_subscribed' : 'portal.consents.record_unsubscribed', values);
    }
    case 'brand_sharing': {
      // The brand's name and the fields' labels in the reader's language, not the ids the record keeps.
      const list = (value: unknown) => (Array.isArray(value) && value.length ? value.map((key) => names.get(`field:${String(key)}`) ?? String(key)).join(', ') : '—');
      const brand = names.get(`brand:${record.subjectRef}`) ?? record.subjectRef;
      return t(record.action === 'grant' ? 'portal.consents.record_shared' : 'portal.consents.record_unshared', { brand, fields: list(record.action === 'grant' ? d.fields : d.withdrawn) });
    }
  }
}

/** The profile fields a brand_sharing record names (shared or withdrawn). */
const sharedFieldKeys = (history: ConsentRecord[]) =>
  [...new Set(history.filter((r) => r.subjectKind === 'brand_sharing').flatMap((r) => [r.details.fields, r.details.withdrawn].flatMap((v) => (Array.isArray(v) ? v.map(String) : []))))];

async function names(deps: PortalDeps, locales: string[], history: ConsentRecord[]): Promise<Map<string, string>> {
  const { consentRegistry: registry, clients, brands, profile } = deps.services;
  const [purposes, topics, apps, snapshot] = await Promise.all([registry.listPurposes(), registry.listTopics(), clients.listClients(), brands.current()]);
  return new Map([
    ...[...snapshot.brands.entries()].map(([id, brand]) => [`brand:${id}`, brand.name] as const),
    ...profile.fieldViews(sharedFieldKeys(history), locales).map((f) => [`field:${f.key}`, f.label] as const),
    ...purposes.map((p) => [p.id, registry.text(p.texts, locales).name] as const),
    ...topics.map((t) => [`topic:${t.id}`, registry.text(t.texts, locales).name] as const),
    ...apps.map((c) => [`client:${c.client_id}`, c.client_name] as const),
  ]);
}

function purposeView(deps: PortalDeps, state: PurposeStanding, locales: string[]) {
  const { purpose, decision, choice } = state;
  const text = deps.services.consentRegistry.text(purpose.texts, locales);
  const choices: { choice: PurposeChoice; label: string }[] = [];
  // The buttons follow the choice on record; whether the data is used now (restriction included) is `allowed`.
  if (purpose.needsConsent) choices.push(choice === 'given' ? { choice: 'withdraw', label: t('portal.consents.withdraw', { name: text.name }) } : { choice: 'grant', label: t('portal.consents.grant', { name: text.name }) });
  else if (purpose.objectable) choices.push(choice === 'objected' ? { choice: 'withdraw_objection', label: t('portal.consents.withdraw_objection', { name: text.name }) } : { choice: 'object', label: t('portal.consents.object', { name: text.name }) });
  return {
    id: purpose.id, name: text.name, description: text.description, dataCategories: purpose.dataCategories.join(', '),
    basis: legalBasisName(purpose.legalBasis), allowed: decision.allowed, reason: decision.reason, choices,
    changedAt: state.changedAt ? formatTime(state.changedAt) : undefined,
  };
}

async function receiptOr404(deps: PortalDeps, accountId: string, receiptId: string): Promise<string> {
  const receipt = RECEIPT_ID.test(receiptId) ? await deps.services.receipts.receiptFor(accountId, receiptId) : undefined;
  if (!receipt) throw new AppError('consent.receipt_not_found', t('portal.consents.no_receipt'), 404);
  return receipt;
}

async function page(deps: PortalDeps, ctx: Context, notice?: string) {
  const { account } = portalState(ctx);
  const locales = pageLocales(ctx);
  const [states, history] = await Promise.all([deps.services.purposes.purposeStates(account.id), deps.services.consent.history(account.id)]);
  const known = await names(deps, locales, history);
  // The brand in view lists its own purposes and the shared ones; the history keeps every brand's records.
  const shown = shownInBrandInView('purposes');
  deps.render(ctx, 'portal/consents', {
    title: t('portal.consents.title'), notice,
    purposes: states.filter((s) => shown(s.purpose.id)).map((s) => purposeView(deps, s, locales)),
    history: history.map((r) => ({ id: r.id, what: describeRecord(r, known), at: formatTime(r.createdAt), basis: legalBasisName(r.legalBasis), channel: r.channel })),
    jwksPath: RECEIPT_JWKS_PATH,
  });
}

export const consentsSection: PortalSection = {
  id: 'consents',
  title: 'portal.nav.consents',
  navOrder: 60,
  pages(router, deps) {
    router.get('/', async (ctx) => {
      await page(deps, ctx, noticeOf(NOTICES, ctx.query.done));
    });
    router.post('/purposes/:purposeId', async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      const { account } = portalState(ctx);
      const choice = choiceSchema.safeParse(fields.get('choice'));
      if (!choice.success) throw new AppError('consent.invalid_choice', t('portal.consents.invalid_choice'), 400);
      await deps.services.purposes.choose(account.id, String(ctx.params.purposeId), choice.data, { channel: 'account', ip: ctx.ip });
      ctx.redirect(`/account/consents?done=${choice.data}`);
      ctx.status = 303;
    });
    router.get('/:receiptId/receipt', async (ctx) => {
      const receiptId = String(ctx.params.receiptId);
      const receipt = await receiptOr404(deps, portalState(ctx).account.id, receiptId);
      ctx.type = 'application/jwt';
      ctx.set('Content-Disposition', `attachment; filename="consent-receipt-${receiptId}.jwt"`);
      ctx.body = receipt;
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      const { accountId } = accountToken(ctx);
      const [states, history] = await Promise.all([deps.services.purposes.purposeStates(accountId), deps.services.consent.history(accountId)]);
      ctx.body = {
        purposes: states.map(({ purpose, decision, changedAt }) => ({
          id: purpose.id, legal_basis: purpose.legalBasis, allowed: decision.allowed, reason: decision.reason, changed_at: changedAt?.toISOString() ?? null,
        })),
        records: history.map((r) => ({
          receipt_id: r.id, kind: r.subjectKind, ref: r.subjectRef, action: r.action, legal_basis: r.legalBasis, channel: r.channel, client_id: r.clientId, created_at: r.createdAt.toISOString(),
        })),
      };
    });
    router.get('/:receiptId/receipt', async (ctx) => {
      const receiptId = String(ctx.params.receiptId);
      ctx.body = { receipt_id: receiptId, receipt: await receiptOr404(deps, accountToken(ctx).accountId, receiptId), jwks_uri: `${deps.issuer}${RECEIPT_JWKS_PATH}` };
    });
    router.post('/purposes/:purposeId', async (ctx) => {
      const { accountId, clientId } = accountToken(ctx);
      const body = jsonBody(ctx, z.object({ choice: choiceSchema }));
      const receiptId = await deps.services.purposes.choose(accountId, String(ctx.params.purposeId), body.choice, { channel: 'account-api', clientId, ip: ctx.ip });
      ctx.body = { receipt_id: receiptId, ...(await deps.services.purposes.isProcessingAllowed(accountId, String(ctx.params.purposeId))) };
    });
  },
};
