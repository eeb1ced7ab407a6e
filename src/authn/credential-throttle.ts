// Owns the limits on credential checks and code mails (CONTRACT "Throttling"): per email+address (locks),
// per email across addresses (slows down, never locks the owner out), per address (locks). Every check
// of a secret goes through `attempt` (attempts.ts); code mails through `allowCodeSend`.
import { normalizeEmail } from '../accounts/email-address.ts';
import type { ThrottleQueries } from '../security/throttle.ts';
import { keyedHash } from '../security/tokens.ts';
import { createAttempts, secondsUntil, subjectKeyPrefix, type AttemptLimits, type AttemptObserver, type Attempts } from './attempts.ts';

export interface ThrottleLimits extends AttemptLimits {
  codeSendsPerEmail: number;
  codeSendsPerAddress: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface CredentialThrottle extends Attempts {
  /** Clears every per-subject counter of these subjects (emails, `account:<id>`), of every kind; per-address ceilings stay. */
  unlockSubjects(subjects: string[]): Promise<number>;
  /**
   * Counts one code mail. Past the per-address ceiling it is refused until the window ends; past the
   * per-email ceiling one mail per `emailSlowdownSeconds` still goes, so nobody can lock the owner out.
   */
  allowCodeSend(email: string, address: string): Promise<ThrottleVerdict>;
}

export function createCredentialThrottle(queries: ThrottleQueries, hashKey: Buffer, limits: ThrottleLimits, observer?: AttemptObserver): CredentialThrottle {
  const refused = (verdict: ThrottleVerdict) => {
    if (!verdict.allowed) observer?.refused('code_send');
    return verdict;
  };
  return {
    ...createAttempts(queries, hashKey, limits, observer),
    unlockSubjects: (subjects) => queries.clearPrefixed(subjects.map((s) => subjectKeyPrefix(hashKey, s))),
    allowCodeSend: async (email, address) => refused(await codeSend(email, address)),
  };

  async function codeSend(email: string, address: string): Promise<ThrottleVerdict> {
    const addressKey = keyedHash(hashKey, `code-send|address|${address}`);
    if (!(await queries.reserve(addressKey, limits.windowSeconds, limits.codeSendsPerAddress))) {
      const state = await queries.peek(addressKey);
      return { allowed: false, retryAfterSeconds: state ? secondsUntil(state.windowEndsAt) : 1 };
    }
    const emailKey = keyedHash(hashKey, `code-send|email|${normalizeEmail(email)}`);
    if (!(await queries.reserve(emailKey, limits.windowSeconds, limits.codeSendsPerEmail, limits.emailSlowdownSeconds))) {
      await queries.release(addressKey);
      const state = await queries.peek(emailKey);
      const nextSlot = state ? new Date(state.lastHitAt.getTime() + limits.emailSlowdownSeconds * 1000) : new Date();
      return { allowed: false, retryAfterSeconds: secondsUntil(nextSlot) };
    }
    return { allowed: true };
  }
}
