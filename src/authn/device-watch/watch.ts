// Owns recognising the devices an account signs in from: a sign-in from a device the account has not used
// before mails it "New sign-in". An account's first device (right after sign-up) is recorded silently.
import { currentLanguage } from '../../i18n/request-language.ts';
import type { MailSender } from '../../mail/mailer.ts';
import { keyedHash, randomToken } from '../../security/tokens.ts';
import type { KnownDeviceQueries } from './queries.ts';

const DEVICE_TOKEN = /^[\w-]{43}$/;

export interface DeviceWatchDeps {
  queries: KnownDeviceQueries;
  mailer: MailSender;
  hashKey: Buffer;
  /** Where the mail sends the customer to review the account, e.g. https://id.example.com/account */
  accountUrl: string;
}

export function createDeviceWatch(deps: DeviceWatchDeps) {
  return {
    /**
     * Notes a sign-in by `accountId` from the device holding `deviceToken` (a new token is made when it has
     * none); returns the token the device keeps.
     */
    async noteSignIn(input: { accountId: string; deviceToken: string | undefined; userAgent: string }): Promise<string> {
      const deviceToken = input.deviceToken && DEVICE_TOKEN.test(input.deviceToken) ? input.deviceToken : randomToken(32);
      const deviceHash = keyedHash(deps.hashKey, `device|${deviceToken}`);
      const userAgent = input.userAgent.slice(0, 300);
      const noted = await deps.queries.noteDevice(input.accountId, deviceHash, userAgent);
      // The address came with the device's statement; the mail goes off the request path (the sign-in does not
      // wait for it). The time is written now, in the request's language.
      if (noted.isNew && noted.hadOtherDevices && noted.email) {
        const time = new Intl.DateTimeFormat(currentLanguage(), { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(new Date());
        deps.mailer.sendInBackground(noted.email, 'new-sign-in', { time, device: userAgent || 'unknown', accountUrl: deps.accountUrl });
      }
      return deviceToken;
    },
  };
}

export type DeviceWatch = ReturnType<typeof createDeviceWatch>;
