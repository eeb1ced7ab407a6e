// Owns the small helpers every section uses: "not found" for ids that are not the customer's, the
// post-redirect-get notice, times as people read them (Intl, in the page's language), and browsers in words.
import type { Context } from 'koa';
import { AppError } from '../../errors/app-error.ts';
import { currentLanguage } from '../../i18n/request-language.ts';
import { t } from '../../i18n/translate.ts';

export { describeTotpVerdict } from './words.ts';

/** Another account's id, or one that does not exist, gets the same answer. */
export function notFound(): never {
  throw new AppError('portal.not_found', t('portal.common.not_found'), 404);
}

export function redirectDone(ctx: Context, path: string, done: string): void {
  ctx.redirect(`${path}?done=${encodeURIComponent(done)}`);
  ctx.status = 303;
}

/** A moment as the reader writes it (their language), in UTC and saying so. */
export const formatTime = (date: Date) =>
  new Intl.DateTimeFormat(currentLanguage(), { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(date);

/** A day as the reader writes it (their language), in UTC. */
export const formatDay = (date: Date) => new Intl.DateTimeFormat(currentLanguage(), { dateStyle: 'long', timeZone: 'UTC' }).format(date);

/** "Firefox on Linux" from a user agent: enough for a person to recognise their browser. */
export function describeUserAgent(ua: string | null | undefined): string {
  if (!ua) return t('portal.common.unknown_browser');
  const browser = [[/Edg\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\//, 'Firefox'], [/Chrome\//, 'Chrome'], [/Safari\//, 'Safari']].find(([re]) => (re as RegExp).test(ua))?.[1] as string | undefined;
  const os = [[/iPhone|iPad/, 'iOS'], [/Android/, 'Android'], [/Mac OS X/, 'macOS'], [/Windows/, 'Windows'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux']].find(([re]) => (re as RegExp).test(ua))?.[1] as string | undefined;
  if (!browser) return ua.slice(0, 80);
  return os ? t('portal.common.browser_on', { browser, os }) : browser;
}

/** The notice for `?done=<what>` after a redirect, in the reader's language; nothing for anything else. */
export function noticeOf(keys: Readonly<Record<string, string>>, done: unknown): string | undefined {
  return typeof done === 'string' && Object.hasOwn(keys, done) ? t(keys[done]!) : undefined;
}
