// Owns the public consent pages: the transparency page /privacy (from the purpose registry, per locale
// with fallback, no sign-in; the purposes and topics of the brand in view and the shared ones), the receipt key set, and the mailed email opt-in confirmation link.
import { isMessageKey, t } from '../i18n/translate.ts';
import { currentLanguage } from '../i18n/request-language.ts';
import { formatDay } from '../i18n/format.ts';
import { shownInBrandInView } from '../brands/request-brand.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Config } from '../config/schema.ts';
import type { LegalBasis } from '../config/consent-schema.ts';
import type { Preferences } from '../consent/preferences/service.ts';
import type { ReleaseReason } from '../consent/release-rule.ts';
import type { ReceiptService } from '../consent/receipts/service.ts';
import type { ConsentRegistry } from '../consent/registry/registry.ts';
import type { Webhooks } from '../events/webhooks/service.ts';
import type { ProfileService } from '../profile/service.ts';
import { pickLocale } from '../profile/schema.ts';
import { formFields } from './body.ts';
import type { Csrf } from './csrf.ts';
import type { Views } from './views.ts';

export interface ConsentRouteDeps {
  config: Config;
  views: Views;
  csrf: Csrf;
  consentRegistry: ConsentRegistry;
  receipts: ReceiptService;
  preferences: Preferences;
  /** The profile schema: which fields are held for each purpose. */
  profile?: Pick<ProfileService, 'current'>;
  /** The downstream systems (webhooks) and the fields each receives. */
  webhooks?: Pick<Webhooks, 'list'>;
}

export const RECEIPT_JWKS_PATH = '/consent/receipts/jwks.json';

export const LEGAL_BASIS_TEXT: Record<LegalBasis, { name: string; rights: string }> = {
  consent: { name: 'Your consent', rights: 'You can give or withdraw it at any time in your account.' },
  contract: { name: 'Needed for the service you signed up for', rights: 'It ends when you close your account.' },
  legitimate_interest: { name: 'Our legitimate interest', rights: 'You can object to it in your account.' },
  legal_obligation: { name: 'Required by law', rights: 'The law requires it, so it cannot be switched off.' },
  public_interest: { name: 'A task in the public interest', rights: 'You can object to it in your account.' },
  vital_interest: { name: 'To protect someone\'s vital interests', rights: 'Only when a life or health is at stake.' },
};

/** Whether a field held for a purpose leaves Foyer now, in words (the release rule's reason; `{purpose}` is its name). */
export const RELEASE_REASON_TEXT: Record<ReleaseReason, string> = {
  consented: 'Shared: you consented to {purpose}.',
  legal_basis: 'Shared: {purpose} does not depend on your choice.',
  no_consent: 'Not shared: you have not consented to {purpose}.',
  consent_withdrawn: 'Not shared: you withdrew your consent to {purpose}.',
  objected: 'Not shared: you objected to {purpose}.',
  restricted: 'Not shared: you restricted the processing of your data.',
  unknown_purpose: 'Not shared: its purpose is not registered.',
};

/** A legal basis in the reader's language: its name and what the reader can do about it. */
export function legalBasisText(basis: LegalBasis): { name: string; rights: string } {
  return { name: t(`consent.basis.${basis}.name`), rights: t(`consent.basis.${basis}.rights`) };
}

/** When a field held for a purpose of this basis leaves Foyer, in the reader's language. */
export function releaseRuleText(basis: LegalBasis): string {
  return t(`consent.release_rule.${basis}`);
}

/** Whether a field held for a purpose leaves Foyer now, in the reader's language. */
export function releaseReasonText(reason: ReleaseReason, purpose: string): string {
  return t(`consent.release_reason.${reason}`, { purpose });
}

/** A channel (email, sms, push) in the reader's language; an unknown one as it is. */
function channelText(channel: string): string {
  const key = `consent.channel.${channel}`;
  return isMessageKey(key) ? t(key) : channel;
}

const LOCALE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;

/** The reader's locales in order: `?lang=` first, then the page's negotiated language, then Accept-Language. */
export function readerLocales(ctx: Context): string[] {
  const asked = typeof ctx.query.lang === 'string' && LOCALE.test(ctx.query.lang) ? [ctx.query.lang] : [];
  const accepted = (ctx.acceptsLanguages() as string[]).filter((tag) => LOCALE.test(tag));
  return [...asked, currentLanguage(), ...accepted];
}

function page(deps: ConsentRouteDeps, ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status = 200) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = deps.views.render(view, { ...data, csrfToken: ctx.state.csrfToken });
}

export function createConsentRouter(deps: ConsentRouteDeps): Router {
  const router = new Router();
  const { config, consentRegistry: registry } = deps;

  router.get('/privacy', async (ctx) => {
    const locales = readerLocales(ctx);
    const [allPurposes, documents, allTopics, systems] = await Promise.all([
      registry.listPurposes(), registry.listDocuments(), registry.listTopics(), deps.webhooks?.list() ?? [],
    ]);
    // The brand in view (`?brand=`, else the brand the reader came from) lists its own purposes and topics and the shared ones.
    const [purposeShown, topicShown] = [shownInBrandInView('purposes'), shownInBrandInView('topics')];
    const purposes = allPurposes.filter((p) => purposeShown(p.id));
    const topics = allTopics.filter((topic) => topicShown(topic.id));
    const now = Date.now();
    const available = new Set([...purposes, ...topics].flatMap((entry) => Object.keys(entry.texts)));
    const shown = purposes.map((purpose) => ({ purpose, text: registry.text(purpose.texts, locales) }));
    const controller = config.consent.controller;
    const fieldsFor = (purposeId: string) => (deps.profile?.current().fields ?? [])
      .filter((field) => field.enabled && field.purpose === purposeId).map((field) => pickLocale(field.label, locales) ?? field.key).join(', ');
    // The systems that receive some of a purpose's data: a field held for it, or the email where it covers email.
    const systemsFor = (purpose: { id: string; dataCategories: string[] }) => {
      const keys = new Set((deps.profile?.current().fields ?? []).filter((f) => f.enabled && f.purpose === purpose.id).map((f) => f.key));
      if (purpose.dataCategories.includes('email')) keys.add('email');
      return systems.filter((w) => w.enabled && w.fields.some((f) => keys.has(f))).map((w) => w.name).join(', ');
    };
    page(deps, ctx, 'consent/privacy', {
      title: t('consent.privacy.title'), wide: true,
      controller: { ...controller, name: controller.name ?? config.brandName },
      locale: shown[0]?.text.locale ?? config.consent.defaultLocale,
      locales: [...available].sort(),
      purposes: shown.map(({ purpose, text }) => ({
        id: purpose.id, name: text.name, description: text.description, dataCategories: purpose.dataCategories.join(', '),
        basis: legalBasisText(purpose.legalBasis).name, rights: legalBasisText(purpose.legalBasis).rights, thirdParty: purpose.thirdPartyDisclosure,
        profileFields: fieldsFor(purpose.id),
        systems: systemsFor(purpose),
      })),
      collected: [...new Set(purposes.flatMap((p) => p.dataCategories))].join(', '),
      documents: documents.map((doc) => {
        const current = doc.versions.find((v) => v.publishedAt.getTime() <= now);
        return current && { title: doc.title, version: current.version, url: current.url, publishedAt: formatDay(current.publishedAt) };
      }).filter(Boolean),
      // Per field: its purpose, basis and when it is shared (the customer's own state is on /account/profile).
      fields: (deps.profile?.current().fields ?? []).map((field) => {
        const purpose = purposes.find((p) => p.id === field.purpose);
        return {
          label: pickLocale(field.label, locales) ?? field.key, purposeId: field.purpose,
          purpose: purpose ? registry.text(purpose.texts, locales).name : field.purpose,
          basis: purpose ? legalBasisText(purpose.legalBasis).name : t('consent.privacy.not_registered'),
          shared: purpose ? releaseRuleText(purpose.legalBasis) : t('consent.privacy.never_shared'),
        };
      }),
      topics: topics.map((topic) => ({ name: registry.text(topic.texts, locales).name, channels: new Intl.ListFormat(currentLanguage(), { type: 'unit' }).format(topic.channels.map(channelText)) })),
      jwksPath: RECEIPT_JWKS_PATH,
    });
  });

  // Receipt keys only: oidc-provider's /jwks is for token keys, and the two must never mix.
  router.get(RECEIPT_JWKS_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/jwk-set+json';
    ctx.body = JSON.stringify(await deps.receipts.jwks());
  });

  const TOKEN = /^[\w-]{20,100}$/;
  const gone = (ctx: Context) => page(deps, ctx, 'consent/preference-confirm', {
    title: t('consent.link_gone.title'), gone: true,
  }, 410);

  /** A mailed link opened: only a page saying what it is for, with a button (mail scanners fetch links), or "gone". */
  const linkPage = (path: string, pattern: RegExp, describe: (token: string) => Promise<{ topic: string; channel: string } | undefined>, view: string, title: () => string) =>
    router.get(path, async (ctx) => {
      const token = String(ctx.params.token);
      const target = pattern.test(token) ? await describe(token) : undefined;
      if (!target) return page(deps, ctx, view, { title: t('consent.link_gone.title'), gone: true }, 410);
      page(deps, ctx, view, { title: title(), token, topic: target.topic, channel: target.channel });
    });

  // Its button (a CSRF-checked post) confirms, so mail scanners cannot.
  linkPage('/preferences/confirm/:token', TOKEN, (token) => deps.preferences.describeConfirmation(token), 'consent/preference-confirm', () => t('consent.confirm.title'));

  router.post('/preferences/confirm/:token', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const token = String(ctx.params.token);
    const result = TOKEN.test(token) ? await deps.preferences.confirm(token, ctx.ip) : { status: 'gone' as const };
    if (result.status !== 'ok') return gone(ctx);
    page(deps, ctx, 'consent/preference-confirm', { title: t('consent.confirm.done_title'), confirmed: true });
  });

  // One-click unsubscribe (RFC 8058). Opening the link shows a page with a button (mail scanners fetch links);
  // the button posts with the CSRF token. A mail client's one-click POST (body List-Unsubscribe=One-Click)
  // carries no CSRF token and is the one exemption: the signed token in the URL authenticates it, and all it
  // can do is opt out.
  const UNSUBSCRIBE = /^[\w.-]{20,500}$/;
  const unsubscribeGone = (ctx: Context) => page(deps, ctx, 'consent/unsubscribe', { title: t('consent.link_gone.title'), gone: true }, 410);

  linkPage('/preferences/unsubscribe/:token', UNSUBSCRIBE, (token) => deps.preferences.describeUnsubscribe(token), 'consent/unsubscribe', () => t('consent.unsubscribe.title'));

  router.post('/preferences/unsubscribe/:token', async (ctx) => {
    const fields = formFields(ctx);
    const oneClick = fields.get('List-Unsubscribe') === 'One-Click';
    if (!oneClick) deps.csrf.verify(ctx, fields);
    const token = String(ctx.params.token);
    const target = UNSUBSCRIBE.test(token) ? await deps.preferences.describeUnsubscribe(token) : undefined;
    const result = target ? await deps.preferences.unsubscribe(token, ctx.ip) : { status: 'gone' as const };
    if (oneClick) {
      ctx.status = result.status === 'gone' ? 410 : 200;
      ctx.type = 'text/plain';
      ctx.body = result.status === 'gone' ? t('consent.unsubscribe.one_click_gone') : t('consent.unsubscribe.one_click_done');
      return;
    }
    if (result.status === 'gone' || !target) return unsubscribeGone(ctx);
    page(deps, ctx, 'consent/unsubscribe', { title: t('consent.unsubscribe.done_title'), done: true, topic: target.topic, channel: target.channel });
  });

  return router;
}
