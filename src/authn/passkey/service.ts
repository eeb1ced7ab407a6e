// Owns assembling the passkey authenticator from its parts: sign-in, second factor, registration and
// management over one set of queries and one challenge store.
import type { AccountQueries } from '../../accounts/queries.ts';
import type { WebauthnSettings } from '../../config/webauthn.ts';
import type { CredentialThrottle } from '../credential-throttle.ts';
import { createPasskeySignIn } from './authentication.ts';
import { createChallenges } from './challenges.ts';
import { createPasskeyManagement } from './manage.ts';
import type { PasskeyQueries } from './queries.ts';
import { createPasskeyRegistration } from './registration.ts';
import { createPasskeySecondFactor } from './second-factor.ts';

export function createPasskeyService(deps: { settings: WebauthnSettings; queries: PasskeyQueries; accounts: AccountQueries; throttle: CredentialThrottle }) {
  const challenges = createChallenges(deps.queries);
  return {
    ...createPasskeySignIn({ ...deps, challenges }),
    ...createPasskeySecondFactor({ ...deps, challenges }),
    ...createPasskeyRegistration({ ...deps, challenges }),
    ...createPasskeyManagement(deps.queries),
  };
}

export type PasskeyService = ReturnType<typeof createPasskeyService>;
