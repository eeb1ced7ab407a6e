// Owns /account/preferences and its Account API twin: communication topics × channels, opted in or out,
// with an email opt-in pending until the customer follows the link mailed to them (double opt-in).
import { z } from 'zod';
import { CHANNELS } from '../../config/consent-schema.ts';
import { readerLocales } from '../../http/consent-routes.ts';
import { jsonBody } from '../../http/json-body.ts';
import type { PortalSection } from '../types.ts';
import { accountToken, portalState } from '../types.ts';

const choiceSchema = z.object({ topic: z.string().min(1).max(64), channel: z.enum(CHANNELS), opt_in: z.boolean() });

const STATUS_TEXT = { opted_in: 'On', opted_out: 'Off', pending: 'Waiting for your confirmation: follow the link we mailed you', none: 'Off' } as const;
const NOTICES: Record<string, string> = {
  opted_in: 'Saved: you are subscribed.',
  opted_out: 'Saved: you are unsubscribed.',
  pending: 'Almost done: we mailed you a link. Your subscription starts when you follow it.',
  unchanged: 'Nothing to change.',
};

export const preferencesSection: PortalSection = {
  id: 'preferences',
  title: 'Communication',
  navOrder: 65,
  pages(router, deps) {
    router.get('/', async (ctx) => {
      const { account } = portalState(ctx);
      const locales = readerLocales(ctx);
      const { consentRegistry: registry, preferences } = deps.services;
      const topics = (await preferences.listPreferences(account.id)).map(({ topic, preferences: list }) => ({
        id: topic.id, ...registry.text(topic.texts, locales),
        channels: list.map((p) => ({ channel: p.channel, status: p.status, text: STATUS_TEXT[p.status], on: p.status === 'opted_in', pending: p.status === 'pending', changedAt: p.changedAt?.toUTCString() })),
      }));
      deps.render(ctx, 'portal/preferences', { title: 'Communication', topics, notice: typeof ctx.query.done === 'string' ? NOTICES[ctx.query.done] : undefined });
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
