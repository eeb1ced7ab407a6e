// Owns signing in with a passkey (discoverable credentials, no email typed): the request options and
// the checks on the answer — challenge of this interaction, used once; our origin and RP ID; user
// verification; a counter that moves forward; the signature — then the login's amr (RFC 8176).
import { t } from '../../i18n/translate.ts';
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
    case 'malformed': return t('journey.passkey.refused.malformed');
    case 'challenge': return t('journey.passkey.refused.challenge');
    case 'origin': return t('journey.passkey.refused.origin');
    case 'rp_id': return t('journey.passkey.refused.rp_id');
    case 'user_verification': return t('journey.passkey.refused.user_verification');
    case 'unknown_credential': return t('journey.passkey.refused.unknown_credential');
    case 'counter': return t('journey.passkey.refused.counter');
    case 'signature': return t('journey.passkey.refused.signature');
    case 'account': return t('journey.passkey.refused.account');
  }
}
