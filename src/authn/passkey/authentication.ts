// Owns signing in with a passkey (discoverable credentials, no email typed): the request options and
// the checks on the answer — challenge of this interaction, used once; our origin and RP ID; user
// verification; a counter that moves forward; the signature — then the login's amr (RFC 8176).
import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { verifyAssertion } from './assertion.ts';
import type { AccountQueries } from '../../accounts/queries.ts';
import type { WebauthnSettings } from '../../config/webauthn.ts';
import type { Attempts } from '../attempts.ts';
import type { Challenges } from './challenges.ts';
import type { PasskeyQueries } from './queries.ts';
import { isRpIdHash, parseAssertion, readAssertionAuthData, readClientData } from './responses.ts';

export type PasskeyRefusal = 'malformed' | 'challenge' | 'origin' | 'rp_id' | 'user_verification' | 'unknown_credential' | 'counter' | 'signature' | 'account';

export type PasskeySignInVerdict =
  | { status: 'ok'; accountId: string; amr: string[]; passkeyId: string }
  | { status: 'invalid'; reason: PasskeyRefusal }
  | { status: 'throttled'; retryAfterSeconds: number };

const THROTTLE_KIND = 'passkey';
const CAN_SIGN_IN = new Set(['active', 'restricted']);
/** The browser's own limit for the ceremony; the challenge outlives it. */
export const CEREMONY_TIMEOUT_MS = 120_000;

/** RFC 8176: a device-bound key is hardware (hwk), a synced or backed-up one software (swk); 'user' when verified. */

export interface PasskeySignInDeps {
  settings: WebauthnSettings;
  queries: PasskeyQueries;
  challenges: Challenges;
  accounts: AccountQueries;
  throttle: Attempts;
}

export function createPasskeySignIn(deps: PasskeySignInDeps) {
  const { settings, queries, challenges, accounts, throttle } = deps;

  /** The checks on an answer, run once its attempt is reserved. */
  async function check(interactionUid: string, assertion: NonNullable<ReturnType<typeof parseAssertion>>): Promise<PasskeySignInVerdict> {
    const refuse = (reason: PasskeyRefusal): PasskeySignInVerdict => ({ status: 'invalid', reason });

    const clientData = readClientData(assertion.response.clientDataJSON);
    const authData = readAssertionAuthData(assertion.response.authenticatorData);
    if (!clientData || !authData || clientData.type !== 'webauthn.get' || assertion.id !== assertion.rawId) return refuse('malformed');
    // Taken first: whatever happens next, this challenge cannot be answered again.
    if (!(await challenges.takeChallenge(clientData.challenge, interactionUid, 'authenticate'))) return refuse('challenge');
    if (!settings.origins.includes(clientData.origin)) return refuse('origin');
    if (!isRpIdHash(authData.rpIdHash, settings.rpId)) return refuse('rp_id');
    if (!authData.flags.up || !authData.flags.uv) return refuse('user_verification');

    const passkey = await queries.findPasskeyById(assertion.id);
    if (!passkey) return refuse('unknown_credential');
    if (assertion.response.userHandle && assertion.response.userHandle !== passkey.userHandle) return refuse('unknown_credential');
    const account = await accounts.findAccountById(passkey.accountId);
    if (!account || !CAN_SIGN_IN.has(account.status)) return refuse('account');
    const verdict = await verifyAssertion({
      queries, settings, assertion, challenge: clientData.challenge, passkey, signedCounter: authData.counter, requireUserVerification: true,
    });
    if (!verdict.ok) return refuse(verdict.reason);
    return { status: 'ok', accountId: account.id, amr: verdict.amr, passkeyId: passkey.id };
  }

  return {
    /** Options for navigator.credentials.get: any passkey of this site, user verification required. */
    async signInOptions(interactionUid: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
      const challenge = await challenges.issueChallenge(interactionUid, 'authenticate', null);
      return generateAuthenticationOptions({
        rpID: settings.rpId, challenge: new Uint8Array(Buffer.from(challenge, 'base64url')), userVerification: 'required', timeout: CEREMONY_TIMEOUT_MS,
      });
    },

    async verifySignIn(input: { interactionUid: string; response: string; address: string }): Promise<PasskeySignInVerdict> {
      const assertion = parseAssertion(input.response);
      if (!assertion) return { status: 'invalid', reason: 'malformed' };
      const key = { kind: THROTTLE_KIND, subject: assertion.id, address: input.address };
      return throttle.attempt(key, () => check(input.interactionUid, assertion), (verdict) => (verdict.status === 'ok' ? 'success' : 'failure'));
    },
  };
}

export type PasskeySignIn = ReturnType<typeof createPasskeySignIn>;

export function describePasskeyRefusal(reason: PasskeyRefusal): string {
  switch (reason) {
    case 'malformed': return 'Your browser did not send a passkey we could read. Try again, or continue with your email.';
    case 'challenge': return 'That passkey request has expired or was already used. Try again.';
    case 'origin': return 'That passkey answer was made for another website. Try again on this page.';
    case 'rp_id': return 'That passkey belongs to another website. Choose a passkey for this site, or continue with your email.';
    case 'user_verification': return 'Your device did not confirm it is you (with your fingerprint, face, PIN or screen lock). Try again.';
    case 'unknown_credential': return 'We do not recognise that passkey. It may have been removed. Continue with your email instead.';
    case 'counter': return 'That passkey answer was already used, or the passkey may have been copied. Try again, or continue with your email.';
    case 'signature': return 'That passkey answer could not be verified. Try again, or continue with your email.';
    case 'account': return 'This passkey cannot be used to sign in. Continue with your email instead.';
  }
}
