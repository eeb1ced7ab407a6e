// Owns the limits on credential checks and code mails (CONTRACT "Throttling"): per email+address (locks),
// per email across addresses (slows down, never blocks code sign-in or reset), per address (locks).
import { normalizeEmail } from '../accounts/email-address.ts';
import { keyedHash } from '../security/tokens.ts';
import type { ThrottleQueries } from '../security/throttle.ts';

export interface ThrottleLimits {
  emailAddressFailures: number;
  emailFailures: number;
  emailSlowdownSeconds: number;
  addressFailures: number;
  windowSeconds: number;
  codeSendsPerEmail: number;
  codeSendsPerAddress: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface CredentialThrottle {
  checkCredential(kind: string, email: string, address: string): Promise<ThrottleVerdict>;
  recordFailure(kind: string, email: string, address: string): Promise<void>;
  recordSuccess(kind: string, email: string, address: string): Promise<void>;
  /** Counts one code mail; refuses past the per-email or per-address ceiling. */
  allowCodeSend(email: string, address: string): Promise<ThrottleVerdict>;
}

/** Told of each failed check and each refusal, by kind (metrics); never consulted. */
export interface ThrottleObserver {
  failed(kind: string): void;
  refused(kind: string): void;
}

const secondsUntil = (date: Date) => Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));

export function createCredentialThrottle(queries: ThrottleQueries, hashKey: Buffer, limits: ThrottleLimits, observer?: ThrottleObserver): CredentialThrottle {
  const keys = (kind: string, email: string, address: string) => ({
    pair: keyedHash(hashKey, `${kind}|pair|${normalizeEmail(email)}|${address}`),
    email: keyedHash(hashKey, `${kind}|email|${normalizeEmail(email)}`),
    address: keyedHash(hashKey, `${kind}|address|${address}`),
  });

  return {
    async checkCredential(kind, email, address) {
      const verdict = await check(kind, email, address);
      if (!verdict.allowed) observer?.refused(kind);
      return verdict;
    },
    async recordFailure(kind, email, address) {
      observer?.failed(kind);
      const k = keys(kind, email, address);
      await queries.hit(k.pair, limits.windowSeconds);
      await queries.hit(k.email, limits.windowSeconds);
      await queries.hit(k.address, limits.windowSeconds);
    },
    async recordSuccess(kind, email, address) {
      await queries.clear(keys(kind, email, address).pair);
    },
    async allowCodeSend(email, address) {
      const verdict = await codeSend(email, address);
      if (!verdict.allowed) observer?.refused('code_send');
      return verdict;
    },
  };

  async function check(kind: string, email: string, address: string): Promise<ThrottleVerdict> {
    const k = keys(kind, email, address);
    const live = await queries.peekMany([k.pair, k.email, k.address]);
    const [pair, perEmail, perAddress] = [live.get(k.pair), live.get(k.email), live.get(k.address)];
    if (pair && pair.hits >= limits.emailAddressFailures) return { allowed: false, retryAfterSeconds: secondsUntil(pair.windowEndsAt) };
    if (perAddress && perAddress.hits >= limits.addressFailures) return { allowed: false, retryAfterSeconds: secondsUntil(perAddress.windowEndsAt) };
    if (perEmail && perEmail.hits >= limits.emailFailures) {
      const nextSlot = new Date(perEmail.lastHitAt.getTime() + limits.emailSlowdownSeconds * 1000);
      if (nextSlot.getTime() > Date.now()) return { allowed: false, retryAfterSeconds: secondsUntil(nextSlot) };
    }
    return { allowed: true };
  }

  async function codeSend(email: string, address: string): Promise<ThrottleVerdict> {
    const perEmail = await queries.hit(keyedHash(hashKey, `code-send|email|${normalizeEmail(email)}`), limits.windowSeconds);
    if (perEmail.hits > limits.codeSendsPerEmail) return { allowed: false, retryAfterSeconds: secondsUntil(perEmail.windowEndsAt) };
    const perAddress = await queries.hit(keyedHash(hashKey, `code-send|address|${address}`), limits.windowSeconds);
    if (perAddress.hits > limits.codeSendsPerAddress) return { allowed: false, retryAfterSeconds: secondsUntil(perAddress.windowEndsAt) };
    return { allowed: true };
  }
}
