// Owns /account/preferences and its Account API twin: communication topics × channels, opted in or out,
// with an email opt-in pending until the customer follows the link mailed to them (double opt-in).
import { z } from 'zod';
import { shownInBrandInView } from '../../brands/request-brand.ts';
import { CHANNELS } from '../../config/consent-schema.ts';
import { t } from '../../i18n/translate.ts';
import { pageLocales } from './page-locales.ts';
import { formatTime, noticeOf } from './shared.ts';
import { channelName } from './words.ts';
import { jsonBody } from '../../http/json-body.ts';
import type { PortalSection } from '../types.ts';
import { accountToken, portalState } from '../types.ts';

const choiceSchema = z.object({ topic: z.string().min(1).max(64), channel: z.enum(CHANNELS), opt_in: z.boolean() });

const STATUS_TEXT = { opted_in: 'portal.preferences.status_on', opted_out: 'portal.preferences.status_off', pending: 'portal.preferences.status_pending', none: 'portal.preferences.status_off' } as const;
const NOTICES: Record<string, string> = {
  opted_in: 'portal.preferences.done_opted_in',
  opted_out: 'portal.preferences.done_opted_out',
  pending: 'portal.preferences.done_pending',
  unchanged: 'portal.preferences.done_unchanged',
};

export const preferencesSection: PortalSection = {
  id: 'preferences',
  title: 'portal.nav.preferences',
  navOrder: 65,
  pages(router, deps) {
    router.get('/', async (ctx) => {
      const { account } = portalState(ctx);
      const locales = pageLocales(ctx);
      const { consentRegistry: registry, preferences } = deps.services;
      // The brand in view lists its own topics and the shared ones.
      const shown = shownInBrandInView('topics');
      const topics = (await preferences.listPreferences(account.id)).filter(({ topic }) => shown(topic.id)).map(({ topic, preferences: list }) => ({
        id: topic.id, ...registry.text(topic.texts, locales),
        channels: list.map((p) => ({
          channel: p.channel, channelName: channelName(p.channel), status: p.status, text: t(STATUS_TEXT[p.status]), on: p.status === 'opted_in', pending: p.status === 'pending',
          changedAt: p.changedAt ? formatTime(p.changedAt) : undefined,
        })),
      }));
      deps.render(ctx, 'portal/preferences', { title: t('portal.preferences.title'), topics, notice: noticeOf(NOTICES, ctx.query.done) });
    });
    router.post('/', async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      const choice = choiceSchema.safeParse({ topic: fields.get('topic'), channel: fields.get('channel'), opt_in: fields.get('choice') === 'in' });
      if (!choice.success || !['in', 'out'].includes(fields.get('choice') ?? '')) {
        ctx.redirect('/account/preferences');
        ctx.status = 303;
        return;
      }
      const result = await deps.services.preferences.setPreference(portalState(ctx).account.id, { topic: choice.data.topic, channel: choice.data.channel, optIn: choice.data.opt_in }, { source: 'account', address: ctx.ip });
      ctx.redirect(`/account/preferences?done=${result.status}`);
      ctx.status = 303;
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      const list = await deps.services.preferences.listPreferences(accountToken(ctx).accountId);
      ctx.body = {
        preferences: list.flatMap(({ preferences }) => preferences.map((p) => ({ topic: p.topic, channel: p.channel, status: p.status, source: p.source, changed_at: p.changedAt?.toISOString() ?? null }))),
      };
    });
    router.put('/', async (ctx) => {
      const { accountId, clientId } = accountToken(ctx);
      const body = jsonBody(ctx, choiceSchema);
      ctx.body = await deps.services.preferences.setPreference(accountId, { topic: body.topic, channel: body.channel, optIn: body.opt_in }, { source: `account-api:${clientId}`, address: ctx.ip });
    });
  },
};
