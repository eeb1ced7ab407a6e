// Owns CSRF protection for Foyer's own forms: a random HttpOnly cookie and, in each form, its HMAC
// under a server key (signed double-submit). A post without the matching field gets 403.
import type { Context, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';
import { formFields } from './body.ts';
import { constantTimeEqual, keyedHash, randomToken } from '../security/tokens.ts';

export const CSRF_COOKIE = 'foyer.csrf';
export const CSRF_FIELD = '_csrf';

export function createCsrf(key: Buffer, secure: boolean) {
  const tokenFor = (cookieValue: string) => keyedHash(key, `csrf|${cookieValue}`);
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
      Object.defineProperty(ctx.state, 'csrfToken', { get: () => tokenFor(cookieValue(ctx)), configurable: true, enumerable: true });
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
      if (!cookie || !field || !constantTimeEqual(field, tokenFor(cookie))) {
        throw new AppError('request.csrf', 'This form has expired or was not sent from this site. Go back, reload the page and try again.', 403);
      }
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
