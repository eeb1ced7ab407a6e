// Owns TOTP (RFC 6238, 6 digits, 30 s, SHA-1 for every authenticator app): new seeds and their otpauth://
// URI, matching a code within ±1 step, and verifying an account's code once per step, throttled.
import { Secret, TOTP } from 'otpauth';
import type { Db } from '../../db/create-db.ts';
import type { SecretBox } from '../../security/envelope.ts';
import type { Attempts } from '../attempts.ts';
import type { TotpQueries } from './queries.ts';

export const TOTP_PERIOD_SECONDS = 30;
const THROTTLE_KIND = 'mfa-totp';

const totpFor = (secret: string, issuer = 'Foyer', label = 'account') =>
  new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: TOTP_PERIOD_SECONDS, secret: Secret.fromBase32(secret) });

/** A fresh 160-bit seed, base32 (what authenticator apps take when typed in). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, issuer: string, label: string): string {
  return totpFor(secret, issuer, label).toString();
}

/** The seed in groups of four, easier to type. */
export function formatTotpSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/** The time step `code` was made for, if it is within one step of now; undefined otherwise. */
export function matchTotpStep(secret: string, code: string, nowMs = Date.now()): number | undefined {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return undefined;
  const delta = totpFor(secret).validate({ token, timestamp: nowMs, window: 1 });
  return delta === null ? undefined : Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

export type TotpVerdict =
  | { status: 'ok' }
  | { status: 'invalid' | 'reused' | 'not_enrolled' }
  | { status: 'throttled'; retryAfterSeconds: number };

export interface TotpDeps {
  queries: TotpQueries;
  box: SecretBox;
  throttle: Attempts;
}

export const throttleSubject = (accountId: string) => `account:${accountId}`;
export const sealContext = (accountId: string) => `totp:${accountId}`;

export function createTotpAuthenticator(deps: TotpDeps) {
  const { queries, box, throttle } = deps;

  async function guarded(accountId: string, address: string, attempt: () => Promise<TotpVerdict>): Promise<TotpVerdict> {
    return throttle.attempt({ kind: THROTTLE_KIND, subject: throttleSubject(accountId), address }, attempt, (verdict) => {
      if (verdict.status === 'ok') return 'success';
      return verdict.status === 'invalid' || verdict.status === 'reused' ? 'failure' : 'void';
    });
  }

  return {
    async hasTotp(accountId: string): Promise<boolean> {
      return (await queries.findConfirmedTotp(accountId)) !== undefined;
    },

    /** Checks a code against the account's confirmed seed and spends its time step. */
    async verifyTotp(input: { accountId: string; code: string; address: string }): Promise<TotpVerdict> {
      return guarded(input.accountId, input.address, async () => {
        const row = await queries.findConfirmedTotp(input.accountId);
        if (!row) return { status: 'not_enrolled' };
        const step = matchTotpStep(box.decrypt(row.secret_encrypted, sealContext(input.accountId)), input.code);
        if (step === undefined) return { status: 'invalid' };
        return (await queries.claimTotpStep(input.accountId, step)) ? { status: 'ok' } : { status: 'reused' };
      });
    },

    /**
     * Checks the first code of a seed being enrolled; on success the caller activates it with
     * `sealForAccount` and the returned step (so that first code cannot be used again).
     */
    async checkEnrolmentCode(input: { accountId: string; secret: string; code: string; address: string }): Promise<TotpVerdict & { step?: number }> {
      let step: number | undefined;
      const verdict = await guarded(input.accountId, input.address, async () => {
        step = matchTotpStep(input.secret, input.code);
        return step === undefined ? { status: 'invalid' } : { status: 'ok' };
      });
      return verdict.status === 'ok' ? { ...verdict, step: step! } : verdict;
    },

    sealForAccount(accountId: string, secret: string): string {
      return box.encrypt(secret, sealContext(accountId));
    },

    /** Activates a sealed seed for the account, its first code's step already spent. */
    saveConfirmed(accountId: string, secretEncrypted: string, usedStep: number, trx?: Db): Promise<void> {
      return queries.saveConfirmedTotp(accountId, secretEncrypted, usedStep, trx);
    },

    removeTotp(accountId: string): Promise<boolean> {
      return queries.deleteTotp(accountId);
    },
  };
}

export type TotpAuthenticator = ReturnType<typeof createTotpAuthenticator>;
