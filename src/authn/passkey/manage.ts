// Owns what the account pages will offer for passkeys: list an account's passkeys, rename one, remove
// one. Every call is scoped to the account, so a passkey id of another account is simply "not found".
import type { Passkey, PasskeyQueries } from './queries.ts';

export interface PasskeySummary {
  id: string;
  name: string;
  synced: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export const PASSKEY_NAME_MAX = 64;

/** A name a person gave: trimmed, 1–64 characters, no control characters. */
export function cleanPasskeyName(name: string): string | undefined {
  const trimmed = name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!trimmed || [...trimmed].length > PASSKEY_NAME_MAX || /\p{Cc}/u.test(trimmed)) return undefined;
  return trimmed;
}

/** A default name from the browser's user agent, e.g. "Passkey on Android". */
export function defaultPasskeyName(userAgent: string | undefined): string {
  const ua = userAgent ?? '';
  const platforms: [RegExp, string][] = [
    [/iPhone|iPad|iPod/, 'iPhone or iPad'], [/Android/, 'Android'], [/Mac OS X|Macintosh/, 'Mac'],
    [/Windows/, 'Windows'], [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux'],
  ];
  const platform = platforms.find(([pattern]) => pattern.test(ua))?.[1];
  return platform ? `Passkey on ${platform}` : 'Passkey';
}

const summarize = (p: Passkey): PasskeySummary => ({
  id: p.id, name: p.name, synced: p.deviceType === 'multiDevice' || p.backedUp, createdAt: p.createdAt, lastUsedAt: p.lastUsedAt,
});

export function createPasskeyManagement(queries: PasskeyQueries) {
  return {
    async listPasskeys(accountId: string): Promise<PasskeySummary[]> {
      return (await queries.listPasskeysForAccount(accountId)).map(summarize);
    },
    async renamePasskey(accountId: string, passkeyId: string, name: string): Promise<'ok' | 'invalid_name' | 'not_found'> {
      const clean = cleanPasskeyName(name);
      if (!clean) return 'invalid_name';
      return (await queries.renamePasskey(accountId, passkeyId, clean)) ? 'ok' : 'not_found';
    },
    async removePasskey(accountId: string, passkeyId: string): Promise<boolean> {
      return queries.deletePasskey(accountId, passkeyId);
    },
  };
}

export type PasskeyManagement = ReturnType<typeof createPasskeyManagement>;
