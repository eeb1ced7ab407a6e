// Owns the cookie that recognises the browser which asked for a mailed sign-in code: its mailed link
// finishes the sign-in only there. A random value per browser; the sign-in keeps only its hash.
import type { Context } from 'koa';
import { BROWSER_TOKEN } from '../authn/email-code/sign-in.ts';
import { randomToken } from '../security/tokens.ts';

export const SIGN_IN_BROWSER_COOKIE = 'foyer.signin_browser';
/** Only the link's pages read it. */
const COOKIE_PATH = '/signin/link';
const MAX_AGE_MS = 24 * 3600 * 1000;

/** This browser's value, set (or kept, so two tabs of one browser stay one browser) when a code is asked for. */
export function ensureSignInBrowser(ctx: Context, secure: boolean): string {
  const existing = readSignInBrowser(ctx);
  const token = existing ?? randomToken(32);
  ctx.cookies.set(SIGN_IN_BROWSER_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, signed: false, overwrite: true, path: COOKIE_PATH, maxAge: MAX_AGE_MS });
  return token;
}

export function readSignInBrowser(ctx: Context): string | undefined {
  const value = ctx.cookies.get(SIGN_IN_BROWSER_COOKIE);
  return value && BROWSER_TOKEN.test(value) ? value : undefined;
}
