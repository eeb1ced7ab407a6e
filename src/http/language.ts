// Owns each request's language scope and the language switcher's address. GET /language/<tag>?next=<path>
// keeps the reader's choice in a cookie and goes back to the page they were on: a journey keeps its
// interaction, because the switcher leads back to the same address (after a form post, to the journey's
// current step, which every step's form can be shown again from).
import type { Context, Next } from 'koa';
import { LANGUAGES, languageOf } from '../i18n/languages.ts';
import { runWithLanguage } from '../i18n/request-language.ts';

export const LANGUAGE_COOKIE = 'foyer_lang';
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** A same-site path to return to, or '/' for anything else (no open redirect through the switcher). */
export function safeReturnPath(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.includes('\\') || next.length > 2048) return '/';
  return next;
}

/** Where the switcher sends the reader back to: this page, or after a form post the journey step it belongs to. */
function returnPathOf(ctx: Context): string {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return ctx.originalUrl;
  const journey = /^\/interaction\/[A-Za-z0-9_-]+\//.exec(ctx.path);
  return journey ? journey[0] : ctx.path;
}

export function requestLanguage(secure: boolean) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const switchTo = /^\/language\/([^/]+)$/.exec(ctx.path);
    if (switchTo && ctx.method === 'GET') {
      const language = languageOf(decodeURIComponent(switchTo[1]!));
      if (language) ctx.cookies.set(LANGUAGE_COOKIE, language, { httpOnly: true, sameSite: 'lax', secure, maxAge: YEAR_MS, overwrite: true });
      ctx.status = 303;
      ctx.redirect(safeReturnPath(ctx.query.next));
      return;
    }
    const acceptLanguage = ctx.get('accept-language');
    const accepted = acceptLanguage ? ctx.acceptsLanguages([...LANGUAGES]) : false;
    await runWithLanguage({
      chosen: ctx.cookies.get(LANGUAGE_COOKIE) ?? undefined,
      accepted: typeof accepted === 'string' ? accepted : undefined,
      returnPath: returnPathOf(ctx),
    }, next);
  };
}
