// Owns CSRF protection for Foyer's own forms: a random HttpOnly cookie and, in each form, its HMAC under a
// server key (signed double-submit) bound also to what the form acts on: the sign-in in progress (the
// interaction uid in its path) on journey pages, the signed-in session on the account and admin pages (the
// mailed link in the path on their link pages), else the area of the site. A token taken from one context
// (another sign-in, before sign-in, another area) is refused in another, even with the same cookie (e.g. one
// planted by a sibling domain). A post without the matching field gets 403.
import type { Context, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';
import { formFields } from './body.ts';
import { constantTimeEqual, keyedHash, randomToken } from '../security/tokens.ts';

export const CSRF_COOKIE = 'foyer.csrf';
export const CSRF_FIELD = '_csrf';

/** A part of the site whose forms act for a signed-in session: its path prefix and the session's cookie. */
export interface CsrfSessionArea {
  prefix: string;
  sessionCookie: string;
  /** Pages there that act on the mailed link in their path, not on the session: bound to their own path. */
  linkPages?: readonly string[];
}

/** What a form at this path acts on (the same for the page that shows it and the post it makes). */
export function formContext(ctx: Context, areas: readonly CsrfSessionArea[]): string {
  const [, first = '', second = ''] = ctx.path.split('/');
  if (first === 'interaction') return `interaction:${second}`;
  const area = areas.find((a) => ctx.path === a.prefix || ctx.path.startsWith(`${a.prefix}/`));
  if (area?.linkPages?.some((page) => ctx.path.startsWith(page))) return `link:${ctx.path}`;
  if (area) return `${area.prefix}:${ctx.cookies.get(area.sessionCookie) ?? ''}`;
  return first;
}

export function createCsrf(key: Buffer, secure: boolean, sessionAreas: readonly CsrfSessionArea[] = []) {
  const tokenFor = (cookieValue: string, ctx: Context) => keyedHash(key, `csrf|${cookieValue}|${formContext(ctx, sessionAreas)}`);
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure, signed: false, overwrite: true, path: '/' };

  function cookieValue(ctx: Context): string {
    let value = ctx.cookies.get(CSRF_COOKIE);
    if (!value || !/^[\w-]{20,64}$/.test(value)) {
      value = randomToken(24);
      ctx.cookies.set(CSRF_COOKIE, value, cookieOptions);
    }
    return value;
  }

  return {
    /** Makes ctx.state.csrfToken available to views. */
    async provideToken(ctx: Context, next: Next): Promise<void> {
      Object.defineProperty(ctx.state, 'csrfToken', { get: () => tokenFor(cookieValue(ctx), ctx), configurable: true, enumerable: true });
      await next();
    },
    /** The fields of a form post, after its CSRF token is checked (403 otherwise). */
    verifiedForm(ctx: Context): URLSearchParams {
      const fields = formFields(ctx);
      this.verify(ctx, fields);
      return fields;
    },
    verify(ctx: Context, fields: URLSearchParams): void {
      const cookie = ctx.cookies.get(CSRF_COOKIE);
      const field = fields.get(CSRF_FIELD);
      if (!cookie || !field || !constantTimeEqual(field, tokenFor(cookie, ctx))) {
        throw new AppError('request.csrf', 'This form has expired or was not sent from this site. Go back, reload the page and try again.', 403);
      }
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
