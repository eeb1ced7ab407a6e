// Owns recovery codes: ten single-use codes shown once, stored keyed-hashed, regenerable; using one is a
// second factor, throttled like every other credential check.
import { randomInt } from 'node:crypto';
import type { Db } from '../../db/create-db.ts';
import { keyedHash } from '../../security/tokens.ts';
import type { Attempts } from '../attempts.ts';
import type { RecoveryCodeQueries } from './queries.ts';

export const RECOVERY_CODE_COUNT = 10;
const THROTTLE_KIND = 'mfa-recovery';
// No 0/o, 1/l/i: codes are read off paper. 10 characters of 31 is about 49 bits.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;

/** What a person may type: case, spaces and dashes do not matter. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]+/g, '');
}

function newRecoveryCode(): string {
  const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]!).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

export interface FreshRecoveryCodes {
  codes: string[];
  hashes: string[];
}

export type RecoveryCodeVerdict = { status: 'ok' | 'invalid' } | { status: 'throttled'; retryAfterSeconds: number };

export interface RecoveryCodeDeps {
  db: Db;
  queries: RecoveryCodeQueries;
  throttle: Attempts;
  hashKey: Buffer;
}

export function createRecoveryCodes(deps: RecoveryCodeDeps) {
  const { queries, throttle } = deps;
  const hashOf = (accountId: string, code: string) => keyedHash(deps.hashKey, `${accountId}|${normalizeRecoveryCode(code)}`);
  const subject = (accountId: string) => `account:${accountId}`;
  const newRecoveryCodes = (accountId: string): FreshRecoveryCodes => {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    return { codes, hashes: codes.map((code) => hashOf(accountId, code)) };
  };

  return {
    /** Ten new codes and their hashes, not stored yet (hash outside a transaction, store inside it). */
    newRecoveryCodes,

    /** Stores fresh codes in place of the account's old ones (which stop working). */
    async storeRecoveryCodes(accountId: string, fresh: FreshRecoveryCodes, trx: Db = deps.db): Promise<void> {
      await queries.replaceRecoveryCodes(accountId, fresh.hashes, trx);
    },

    /** Makes ten new codes (the old ones stop working) and returns them: the only time they are visible. */
    async generateRecoveryCodes(accountId: string): Promise<string[]> {
      const fresh = newRecoveryCodes(accountId);
      await queries.replaceRecoveryCodes(accountId, fresh.hashes);
      return fresh.codes;
    },

    async useRecoveryCode(input: { accountId: string; code: string; address: string }): Promise<RecoveryCodeVerdict> {
      return throttle.attempt({ kind: THROTTLE_KIND, subject: subject(input.accountId), address: input.address }, async () => {
        const normalized = normalizeRecoveryCode(input.code);
        const ok = normalized.length === LENGTH && (await queries.useRecoveryCode(input.accountId, hashOf(input.accountId, normalized)));
        return { status: ok ? 'ok' as const : 'invalid' as const };
      }, ({ status }) => (status === 'ok' ? 'success' : 'failure'));
    },

    countUnusedRecoveryCodes(accountId: string): Promise<number> {
      return queries.countUnusedRecoveryCodes(accountId);
    },
  };
}

export type RecoveryCodes = ReturnType<typeof createRecoveryCodes>;
