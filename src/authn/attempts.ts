// Owns the one way a secret is checked: reserve the attempt (counted in the same statement that checks
// the limit), then verify, then settle. A burst of parallel attempts is limited as attempts one at a time are.
import { normalizeEmail } from '../accounts/email-address.ts';
import type { ThrottleQueries } from '../security/throttle.ts';
import { keyedHash } from '../security/tokens.ts';

export interface AttemptLimits {
  emailAddressFailures: number;
  emailFailures: number;
  emailSlowdownSeconds: number;
  addressFailures: number;
  windowSeconds: number;
}

/** What a verification turned out to be: the right secret, a wrong one, or no comparison at all (nothing to compare with). */
export type AttemptOutcome = 'success' | 'failure' | 'void';

/** Whose attempt: a kind of credential, its subject (an email, or `account:<id>`), and the client address. */
export interface AttemptKey {
  kind: string;
  subject: string;
  address: string;
}

export type Throttled = { status: 'throttled'; retryAfterSeconds: number };

export interface Attempts {
  /**
   * Runs `verify` only when a reservation was granted; `outcomeOf` says how to settle it. A success
   * forgets the failures of this subject from this address; a void attempt gives its reservation back.
   */
  attempt<T>(key: AttemptKey, verify: () => Promise<T>, outcomeOf: (result: T) => AttemptOutcome): Promise<T | Throttled>;
  /** Forgets the failures of this subject from this address (a fresh code was mailed there), as a success does. */
  forgetFailures(key: AttemptKey): Promise<void>;
  /** Verifications run for a kind since this instance started: lets tests observe that a burst stayed within the limit. */
  verificationsRun(kind: string): number;
}

/** Told of each failed verification and each refused attempt, by kind (metrics); never consulted. */
export interface AttemptObserver {
  failed(kind: string): void;
  refused(kind: string): void;
}

export const secondsUntil = (date: Date) => Math.max(1, Math.ceil((date.getTime() - Date.now()) / 1000));

/** A subject's counters (per email+address, per email) share this prefix, so an operator can unlock the subject without knowing the addresses. */
export const subjectKeyPrefix = (hashKey: Buffer, subject: string) => `${keyedHash(hashKey, `subject|${normalizeEmail(subject)}`).slice(0, 22)}.`;

export function createAttempts(queries: ThrottleQueries, hashKey: Buffer, limits: AttemptLimits, observer?: AttemptObserver): Attempts {
  const verifications = new Map<string, number>();
  const keys = ({ kind, subject, address }: AttemptKey) => ({
    pair: subjectKeyPrefix(hashKey, subject) + keyedHash(hashKey, `${kind}|pair|${normalizeEmail(subject)}|${address}`),
    email: subjectKeyPrefix(hashKey, subject) + keyedHash(hashKey, `${kind}|email|${normalizeEmail(subject)}`),
    address: keyedHash(hashKey, `${kind}|address|${address}`),
  });

  /** Reserves on every counter or on none: per email+address and per address lock, per email slows down. One statement when granted. */
  async function reserve(key: AttemptKey): Promise<Throttled | undefined> {
    const k = keys(key);
    const { windowSeconds } = limits;
    const granted = await queries.reserveInOrder([
      { key: k.pair, windowSeconds, limit: limits.emailAddressFailures },
      { key: k.address, windowSeconds, limit: limits.addressFailures },
      { key: k.email, windowSeconds, limit: limits.emailFailures, slowdownSeconds: limits.emailSlowdownSeconds },
    ]);
    if (granted === 0) return refusedUntilWindowEnds(k.pair);
    if (granted === 1) {
      await queries.release(k.pair);
      return refusedUntilWindowEnds(k.address);
    }
    if (granted === 2) {
      await queries.settle([k.pair, k.address]);
      const state = await queries.peek(k.email);
      const nextSlot = state ? new Date(state.lastHitAt.getTime() + limits.emailSlowdownSeconds * 1000) : new Date();
      return { status: 'throttled', retryAfterSeconds: secondsUntil(nextSlot) };
    }
    return undefined;
  }

  async function refusedUntilWindowEnds(counter: string): Promise<Throttled> {
    const state = await queries.peek(counter);
    return { status: 'throttled', retryAfterSeconds: state ? secondsUntil(state.windowEndsAt) : 1 };
  }

  async function settle(key: AttemptKey, outcome: AttemptOutcome): Promise<void> {
    if (outcome === 'failure') return;
    const k = keys(key);
    // Only failures count against the email and the address; a success also forgets this pair's failures.
    if (outcome === 'success') await queries.settle([k.address, k.email], k.pair);
    else await queries.settle([k.pair, k.address, k.email]);
  }

  return {
    async attempt(key, verify, outcomeOf) {
      const refused = await reserve(key);
      if (refused) {
        observer?.refused(key.kind);
        return refused;
      }
      verifications.set(key.kind, (verifications.get(key.kind) ?? 0) + 1);
      let outcome: AttemptOutcome = 'failure';
      try {
        const result = await verify();
        outcome = outcomeOf(result);
        return result;
      } finally {
        // A verification that threw still counts as a failure: a crash must not be a free guess.
        if (outcome === 'failure') observer?.failed(key.kind);
        await settle(key, outcome);
      }
    },
    async forgetFailures(key) {
      await queries.clear(keys(key).pair);
    },
    verificationsRun: (kind) => verifications.get(kind) ?? 0,
  };
}
