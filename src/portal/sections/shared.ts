// Owns the small helpers every section uses: "not found" for ids that are not the customer's, the
// post-redirect-get notice, times as people read them, and the wording of TOTP verdicts.
import type { Context } from 'koa';
import type { TotpVerdict } from '../../authn/totp/totp.ts';
import { AppError } from '../../errors/app-error.ts';

/** Another account's id, or one that does not exist, gets the same answer. */
export function notFound(): never {
  throw new AppError('portal.not_found', 'That was not found in your account. Reload the page and try again.', 404);
}

export function redirectDone(ctx: Context, path: string, done: string): void {
  ctx.redirect(`${path}?done=${encodeURIComponent(done)}`);
  ctx.status = 303;
}

export const formatTime = (date: Date) => date.toUTCString().replace(/:\d\d GMT$/, ' UTC');

export function describeTotpVerdict(verdict: { status: Exclude<TotpVerdict['status'], 'ok'> | string; retryAfterSeconds?: number }): string {
  switch (verdict.status) {
    case 'throttled': return `Too many attempts. Try again in ${Math.ceil((verdict.retryAfterSeconds ?? 60) / 60)} minutes.`;
    case 'reused': return 'That code was already used. Wait for the next one.';
    case 'not_enrolled': return 'There is no authenticator app to check that code against.';
    default: return 'That code is not right. Check the app and enter the code it shows now.';
  }
}

/** "Firefox on Linux" from a user agent: enough for a person to recognise their browser. */
export function describeUserAgent(ua: string | null | undefined): string {
  if (!ua) return 'Unknown browser';
  const browser = [[/Edg\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\//, 'Firefox'], [/Chrome\//, 'Chrome'], [/Safari\//, 'Safari']].find(([re]) => (re as RegExp).test(ua))?.[1];
  const os = [[/iPhone|iPad/, 'iOS'], [/Android/, 'Android'], [/Mac OS X/, 'macOS'], [/Windows/, 'Windows'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux']].find(([re]) => (re as RegExp).test(ua))?.[1];
  return browser ? `${browser}${os ? ` on ${os}` : ''}` : ua.slice(0, 80);
}
