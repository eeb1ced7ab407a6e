// Owns the long-lived device cookie (foyer.device): a random id per browser, so a sign-in can be matched
// against the devices the account has used before (the "new sign-in" mail).
import type { Context } from 'koa';
import type { DeviceWatch } from '../authn/device-watch/watch.ts';

export const DEVICE_COOKIE = 'foyer.device';
// Browsers cap cookie lifetimes at 400 days; each sign-in renews it.
const MAX_AGE_MS = 400 * 24 * 3600 * 1000;

export interface SignInDevices {
  /** Notes that `accountId` signed in from this browser (mailing the account when the browser is new to it). */
  noteSignIn(ctx: Context, accountId: string): Promise<void>;
}

export function createSignInDevices(watch: DeviceWatch, secure: boolean): SignInDevices {
  return {
    async noteSignIn(ctx, accountId) {
      const deviceToken = await watch.noteSignIn({ accountId, deviceToken: ctx.cookies.get(DEVICE_COOKIE), userAgent: ctx.get('user-agent') });
      ctx.cookies.set(DEVICE_COOKIE, deviceToken, { httpOnly: true, sameSite: 'lax', secure, signed: false, overwrite: true, path: '/', maxAge: MAX_AGE_MS });
    },
  };
}
