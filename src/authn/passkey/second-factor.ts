// Owns a passkey as the SECOND factor of a sign-in: request options listing the account's own passkeys
// (so non-discoverable ones work), a challenge bound to the interaction, purpose and account, and the checks.
import { t } from '../../i18n/translate.ts';
import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { WebauthnSettings } from '../../config/webauthn.ts';
import type { Attempts } from '../attempts.ts';
import { verifyAssertion } from './assertion.ts';
import { CEREMONY_TIMEOUT_MS } from './authentication.ts';
import type { Challenges } from './challenges.ts';
import type { PasskeyQueries } from './queries.ts';
import { isRpIdHash, parseAssertion, readAssertionAuthData, readClientData } from './responses.ts';

export type SecondFactorRefusal = 'malformed' | 'challenge' | 'origin' | 'rp_id' | 'user_presence' | 'unknown_credential' | 'other_account' | 'counter' | 'signature';

export type PasskeySecondFactorVerdict =
  | { status: 'ok'; amr: string[]; passkeyId: string }
  | { status: 'invalid'; reason: SecondFactorRefusal }
  | { status: 'throttled'; retryAfterSeconds: number };

const THROTTLE_KIND = 'passkey-mfa';
const PURPOSE = 'second-factor';

export interface PasskeySecondFactorDeps {
  settings: WebauthnSettings;
  queries: PasskeyQueries;
  challenges: Challenges;
  throttle: Attempts;
}

export function createPasskeySecondFactor(deps: PasskeySecondFactorDeps) {
  const { settings, queries, challenges, throttle } = deps;
  const subject = (accountId: string) => `account:${accountId}`;

  /** The checks on an answer, run once its attempt is reserved. */
  async function check(interactionUid: string, accountId: string, response: string): Promise<PasskeySecondFactorVerdict> {
    const refuse = (reason: SecondFactorRefusal): PasskeySecondFactorVerdict => ({ status: 'invalid', reason });
    const assertion = parseAssertion(response);
    const clientData = assertion && readClientData(assertion.response.clientDataJSON);
    const authData = assertion && readAssertionAuthData(assertion.response.authenticatorData);
    if (!assertion || !clientData || !authData || clientData.type !== 'webauthn.get' || assertion.id !== assertion.rawId) return refuse('malformed');
    // Taken first: whatever happens next, this challenge cannot be answered again.
    const taken = await challenges.takeChallenge(clientData.challenge, interactionUid, PURPOSE);
    if (!taken?.binding || taken.binding.accountId !== accountId) return refuse('challenge');
    if (!settings.origins.includes(clientData.origin)) return refuse('origin');
    if (!isRpIdHash(authData.rpIdHash, settings.rpId)) return refuse('rp_id');
    if (!authData.flags.up) return refuse('user_presence');

    const passkey = await queries.findPasskeyById(assertion.id);
    if (!passkey) return refuse('unknown_credential');
    if (passkey.accountId !== accountId) return refuse('other_account');
    if (assertion.response.userHandle && assertion.response.userHandle !== passkey.userHandle) return refuse('other_account');
    const verdict = await verifyAssertion({
      queries, settings, assertion, challenge: clientData.challenge, passkey, signedCounter: authData.counter, requireUserVerification: false,
    });
    if (!verdict.ok) return refuse(verdict.reason);
    return { status: 'ok', amr: verdict.amr, passkeyId: passkey.id };
  }

  return {
    async hasPasskey(accountId: string): Promise<boolean> {
      return settings.enabled && (await queries.listPasskeysForAccount(accountId)).length > 0;
    },

    /** Options for navigator.credentials.get naming this account's passkeys; undefined when it has none. */
    async secondFactorOptions(interactionUid: string, accountId: string): Promise<PublicKeyCredentialRequestOptionsJSON | undefined> {
      const passkeys = await queries.listPasskeysForAccount(accountId);
      if (!settings.enabled || passkeys.length === 0) return undefined;
      const challenge = await challenges.issueChallenge(interactionUid, PURPOSE, { accountId, userHandle: passkeys[0]!.userHandle });
      return generateAuthenticationOptions({
        rpID: settings.rpId, challenge: new Uint8Array(Buffer.from(challenge, 'base64url')), timeout: CEREMONY_TIMEOUT_MS,
        // The person is already known: presence is enough here, verification (the device's PIN or biometric) is a bonus.
        userVerification: 'preferred',
        allowCredentials: passkeys.map((p) => ({ id: p.id, transports: p.transports })),
      });
    },

    async verifySecondFactor(input: { interactionUid: string; accountId: string; response: string; address: string }): Promise<PasskeySecondFactorVerdict> {
      const key = { kind: THROTTLE_KIND, subject: subject(input.accountId), address: input.address };
      return throttle.attempt(key, () => check(input.interactionUid, input.accountId, input.response), (verdict) => (verdict.status === 'ok' ? 'success' : 'failure'));
    },
  };
}

export type PasskeySecondFactor = ReturnType<typeof createPasskeySecondFactor>;

export function describeSecondFactorRefusal(reason: SecondFactorRefusal): string {
  switch (reason) {
    case 'malformed': return t('journey.mfa.passkey_refused.malformed');
    case 'challenge': return t('journey.mfa.passkey_refused.challenge');
    case 'origin': return t('journey.mfa.passkey_refused.origin');
    case 'rp_id': return t('journey.mfa.passkey_refused.rp_id');
    case 'user_presence': return t('journey.mfa.passkey_refused.user_presence');
    case 'unknown_credential': return t('journey.mfa.passkey_refused.unknown_credential');
    case 'other_account': return t('journey.mfa.passkey_refused.other_account');
    case 'counter': return t('journey.mfa.passkey_refused.counter');
    case 'signature': return t('journey.mfa.passkey_refused.signature');
  }
}
