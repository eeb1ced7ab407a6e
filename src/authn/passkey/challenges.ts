// Owns WebAuthn challenges: random, bound to one interaction and purpose (and, for registration, to the
// account and user handle), single use (taken before the response is checked, so a failed attempt
// cannot be retried) and expiring.
import { hashToken, randomToken } from '../../security/tokens.ts';
import type { ChallengeBinding, ChallengePurpose, PasskeyQueries } from './queries.ts';

/** Long enough for the browser's own ceremony timeout plus a person finding their key. */
export const CHALLENGE_TTL_SECONDS = 300;

export function createChallenges(queries: PasskeyQueries) {
  return {
    async issueChallenge(interactionUid: string, purpose: ChallengePurpose, binding: ChallengeBinding | null): Promise<string> {
      const challenge = randomToken(32);
      await queries.insertChallenge({ challengeHash: hashToken(challenge), interactionUid, purpose, binding, ttlSeconds: CHALLENGE_TTL_SECONDS });
      return challenge;
    },
    /** Once for a live challenge issued to this interaction for this purpose: what it was bound to. */
    async takeChallenge(challenge: string, interactionUid: string, purpose: ChallengePurpose): Promise<{ binding: ChallengeBinding | null } | undefined> {
      if (!/^[\w-]{16,128}$/.test(challenge)) return undefined;
      return queries.consumeChallenge(hashToken(challenge), interactionUid, purpose);
    },
  };
}

export type Challenges = ReturnType<typeof createChallenges>;
