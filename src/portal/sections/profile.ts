// Owns /account/profile and its Account API twin: every profile field with its value, who set it and when
// (provenance), why it is held (purpose and legal basis), whether it is shared now and with which apps and
// systems (the release rule, src/consent/field-release.ts); editing one field at a time.
import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { currentLanguage } from '../../i18n/request-language.ts';
import { t } from '../../i18n/translate.ts';
import { pageLocales as readerLocales } from './page-locales.ts';
import { legalBasisName, releaseReasonText } from './words.ts';
import { formFields, storedAsInput } from '../../http/profile-form.ts';
import { EMAIL_FIELD, type FieldVerdict } from '../../consent/field-release.ts';
import type { AccountFieldView } from '../../profile/service.ts';
import { jsonBody } from '../../http/json-body.ts';
import { accountToken, portalState, type PortalDeps, type PortalSection } from '../types.ts';
import { formatTime, redirectDone } from './shared.ts';

const FIELD_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** Who set a value, in words: the customer, an upstream (social:<connector>), an admin, an app, an import. */
function describeSource(source: string | null, connectorNames: Map<string, string>): string | undefined {
  if (!source) return undefined;
  if (source === 'customer') return t('portal.profile.source_customer');
  if (source.startsWith('social:')) return t('portal.profile.source_social', { name: connectorNames.get(source.slice(7)) ?? source.slice(7) });
  const key = ({ admin: 'portal.profile.source_admin', api: 'portal.profile.source_api', import: 'portal.profile.source_import' } as Record<string, string>)[source];
  return key ? t(key) : source;
}

/** The downstream systems (webhooks) subscribed to each field, by field key. */
async function subscribersOf(deps: PortalDeps): Promise<Map<string, string[]>> {
  const byField = new Map<string, string[]>();
  for (const system of await deps.services.webhooks.list()) {
    if (system.enabled) for (const key of system.fields) byField.set(key, [...(byField.get(key) ?? []), system.name]);
  }
  return byField;
}

/** The release rule's verdict on a field, in words: whether it leaves Foyer now and why (not). */
function whyOf(verdict: FieldVerdict | undefined, purposeName: string) {
  const reason = verdict?.reason ?? 'unknown_purpose';
  return { allowed: verdict?.released ?? false, reason, why: releaseReasonText(reason, purposeName) };
}

/**
 * For each field: why it is held (purpose, legal basis), whether the release rule lets it leave now and why
 * (not), and — only while it does — which apps (by granted scope) and downstream systems receive it.
 */
async function transparency(deps: PortalDeps, accountId: string, fields: AccountFieldView[], locales: string[]) {
  const { consentRegistry: registry, clients, connectors, fieldRelease } = deps.services;
  const [purposes, granted, apps, connectorButtons, subscribers, verdicts] = await Promise.all([
    registry.listPurposes(), deps.clientAccess.listGrantedClients(accountId), clients.listClients(), connectors.buttonsFor(undefined).catch(() => []),
    subscribersOf(deps), fieldRelease.verdicts(accountId),
  ]);
  const appNames = new Map(apps.map((c) => [c.client_id, c.client_name]));
  const purposeById = new Map(purposes.map((p) => [p.id, p]));
  const nameOf = (id: string | undefined) => {
    const purpose = id ? purposeById.get(id) : undefined;
    return purpose ? registry.text(purpose.texts, locales).name : id ?? t('portal.profile.your_account');
  };
  const connectorNames = new Map(connectorButtons.map((c) => [c.id, c.name]));
  // The address itself is held for the purposes whose data categories name email.
  const emailPurposes = purposes.filter((p) => p.dataCategories.includes('email')).map((p) => registry.text(p.texts, locales).name);
  const emailVerdict = verdicts.get(EMAIL_FIELD);
  const email = { purposes: emailPurposes, ...whyOf(emailVerdict, nameOf(emailVerdict?.purpose)), downstream: emailVerdict?.released ? subscribers.get(EMAIL_FIELD) ?? [] : [] };
  return { email, fields: fields.map((field) => {
    const purpose = purposeById.get(field.purpose);
    const why = whyOf(verdicts.get(field.key), nameOf(field.purpose));
    const receivers = why.allowed && field.scope ? granted.filter((g) => g.scopes.includes(field.scope!)).map((g) => appNames.get(g.clientId) ?? g.clientId) : [];
    return {
      key: field.key,
      purposeName: nameOf(field.purpose),
      legalBasis: purpose ? legalBasisName(purpose.legalBasis) : undefined,
      legalBasisId: purpose?.legalBasis,
      ...why,
      receivers,
      downstream: why.allowed ? subscribers.get(field.key) ?? [] : [],
      source: describeSource(field.source, connectorNames),
      updatedAt: field.updatedAt ? formatTime(field.updatedAt) : undefined,
    };
  }) };
}

async function profilePage(deps: PortalDeps, ctx: Context, edit?: { key: string; raw: string[]; error: string }): Promise<void> {
  const { account } = portalState(ctx);
  const locales = readerLocales(ctx);
  const fields = await deps.services.profile.listAccountProfile(account.id, locales);
  const { email, fields: described } = await transparency(deps, account.id, fields, locales);
  const about = new Map(described.map((t) => [t.key, t]));
  const controls = formFields(fields, (key) => (edit?.key === key ? edit.raw : storedAsInput(fields.find((f) => f.key === key)?.value)), edit ? { errors: { [edit.key]: edit.error } } : {});
  deps.render(ctx, 'portal/profile', {
    title: t('portal.profile.title'),
    fields: controls.map((control) => ({ control, about: listed(about.get(control.key)) })),
    email: { ...email, purposeList: email.purposes.length ? list(email.purposes) : t('portal.profile.your_account'), downstreamList: list(email.downstream) },
    notice: ctx.query.done === 'saved' ? t('portal.profile.saved') : undefined,
    error: edit ? t('portal.profile.check_field') : undefined,
  }, edit ? 400 : 200);
}

type Transparency = Awaited<ReturnType<typeof transparency>>;

/** Names as the reader's language lists them ("A, B and C"). */
const list = (names: string[]) => new Intl.ListFormat(currentLanguage(), { type: 'unit' }).format(names);
const listed = (about: Transparency['fields'][number] | undefined) => about && { ...about, receiverList: list(about.receivers), downstreamList: list(about.downstream) };

function apiView(field: AccountFieldView, about: Transparency['fields'][number] | undefined) {
  return {
    key: field.key, claim: field.claim, label: field.label, type: field.type, value: field.value,
    source: field.source, updated_at: field.updatedAt?.toISOString() ?? null,
    purpose: field.purpose, purpose_name: about?.purposeName ?? field.purpose, legal_basis: about?.legalBasisId ?? null, scope: field.scope,
    allowed: about?.allowed ?? false, reason: about?.reason ?? 'unknown_purpose', why: about?.why ?? null,
    received_by: about?.receivers ?? [], sent_to: about?.downstream ?? [],
  };
}

/** The Account API's profile answer, the same for GET and PATCH. */
async function apiProfile(deps: PortalDeps, ctx: Context, accountId: string) {
  const locales = readerLocales(ctx);
  const fields = await deps.services.profile.listAccountProfile(accountId, locales);
  const { email, fields: described } = await transparency(deps, accountId, fields, locales);
  const about = new Map(described.map((t) => [t.key, t]));
  return {
    email: { purposes: email.purposes, allowed: email.allowed, reason: email.reason, why: email.why, sent_to: email.downstream },
    fields: fields.map((f) => apiView(f, about.get(f.key))),
  };
}

export const profileSection: PortalSection = {
  id: 'profile',
  title: 'portal.nav.profile',
  navOrder: 15,
  pages(router, deps) {
    router.get('/', (ctx) => profilePage(deps, ctx));

    router.post('/:key', async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      const key = String(ctx.params.key);
      if (!FIELD_KEY.test(key)) throw new AppError('portal.not_found', t('portal.profile.not_a_field'), 404);
      const raw = fields.getAll(key).map((v) => v.slice(0, 2000));
      const result = await deps.services.profile.setFieldFromForm({ accountId: portalState(ctx).account.id, field: key, raw, locales: readerLocales(ctx) });
      if (result.status === 'unknown_field') throw new AppError('portal.not_found', t('portal.profile.not_a_field'), 404);
      if (result.status === 'invalid') return profilePage(deps, ctx, { key, raw, error: result.message });
      redirectDone(ctx, '/account/profile', 'saved');
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      ctx.body = await apiProfile(deps, ctx, accountToken(ctx).accountId);
    });

    // A JSON value per field; null clears it. Each value is checked like the form, and saved with provenance 'customer'.
    router.patch('/', async (ctx) => {
      const { accountId } = accountToken(ctx);
      const body = jsonBody(ctx, z.record(z.string().regex(FIELD_KEY), z.unknown()).refine((v) => Object.keys(v).length > 0 && Object.keys(v).length <= 50, { error: 'schema.profile.field_count', params: { min: 1, max: 50 } }));
      const errors: Record<string, string> = {};
      // One transaction: a failure part-way (the database gone) leaves none of the fields saved, never some.
      await deps.services.db.transaction(async (trx) => {
        for (const [key, value] of Object.entries(body)) {
          const result = await deps.services.profile.setFieldValue({ accountId, field: key, value, source: 'customer', clientId: accountToken(ctx).clientId, trx });
          if (result.status === 'unknown_field') errors[key] = 'There is no such profile field.';
          if (result.status === 'invalid') errors[key] = result.message;
        }
      });
      if (Object.keys(errors).length) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_profile', message: 'Some fields were not saved.', fields: errors };
        return;
      }
      ctx.body = await apiProfile(deps, ctx, accountId);
    });
  },
};
