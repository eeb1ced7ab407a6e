// Owns the locales a portal page picks registry texts (purposes, topics, field labels) by: an explicit
// `?lang=` first, then the page's own language (switcher, saved language, Accept-Language), then the
// reader's other accepted ones.
import type { Context } from 'koa';
import { readerLocales } from '../../http/consent-routes.ts';
import { currentLanguage } from '../../i18n/request-language.ts';

export function pageLocales(ctx: Context): string[] {
  const reader = readerLocales(ctx);
  const asked = typeof ctx.query.lang === 'string' ? reader.slice(0, 1) : [];
  return [...new Set([...asked, currentLanguage(), ...reader])];
}
