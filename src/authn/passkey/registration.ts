// Owns adding a passkey to a signed-in account: creation options (a discoverable credential, the
// account's existing passkeys excluded, user verification preferred) and checking the answer.
import { t } from '../../i18n/translate.ts';
import { generateRegistrationOptions, verifyRegistrationResponse, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { COSEALG } from '@simplewebauthn/server/helpers';
import type { WebauthnSettings } from '../../config/webauthn.ts';
import { randomToken } from '../../security/tokens.ts';
import { CEREMONY_TIMEOUT_MS } from './authentication.ts';
import type { Challenges } from './challenges.ts';
import type { Passkey, PasskeyQueries } from './queries.ts';
import { isRpIdHash, parseAttestation, readAttestationAuthData, readClientData } from './responses.ts';

export type RegistrationRefusal = 'malformed' | 'challenge' | 'origin' | 'rp_id' | 'user_presence' | 'signature' | 'duplicate';

export type PasskeyRegistrationResult =
  | { status: 'ok'; passkey: Passkey }
  | { status: 'invalid'; reason: RegistrationRefusal };

// Stable signature algorithms only: Node's ML-DSA (post-quantum) support is still experimental.
const ALGORITHMS = [COSEALG.EdDSA, COSEALG.ES256, COSEALG.RS256];

export interface PasskeyRegistrationDeps {
  settings: WebauthnSettings;
  queries: PasskeyQueries;
  challenges: Challenges;
}

export function createPasskeyRegistration(deps: PasskeyRegistrationDeps) {
  const { settings, queries, challenges } = deps;
  return {
    /** Options for navigator.credentials.create, bound to this interaction and account. */
    async registrationOptions(input: { interactionUid: string; accountId: string; email: string }): Promise<PublicKeyCredentialCreationOptionsJSON> {
      const existing = await queries.listPasskeysForAccount(input.accountId);
      // One WebAuthn user handle per account (random, never the account id), so an authenticator keeps one passkey for it.
      const userHandle = existing[0]?.userHandle ?? randomToken(32);
      const challenge = await challenges.issueChallenge(input.interactionUid, 'register', { accountId: input.accountId, userHandle });
      return generateRegistrationOptions({
        rpName: settings.rpName,
        rpID: settings.rpId,
        userName: input.email,
        userDisplayName: input.email,
        userID: new Uint8Array(Buffer.from(userHandle, 'base64url')),
        challenge: new Uint8Array(Buffer.from(challenge, 'base64url')),
        timeout: CEREMONY_TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
    },

    async verifyRegistration(input: { interactionUid: string; accountId: string; response: string; name: string }): Promise<PasskeyRegistrationResult> {
      const refuse = (reason: RegistrationRefusal): PasskeyRegistrationResult => ({ status: 'invalid', reason });
      const attestation = parseAttestation(input.response);
      const clientData = attestation && readClientData(attestation.response.clientDataJSON);
      const authData = attestation && readAttestationAuthData(attestation.response.attestationObject);
      if (!attestation || !clientData || !authData || clientData.type !== 'webauthn.create' || attestation.id !== attestation.rawId) return refuse('malformed');
      const taken = await challenges.takeChallenge(clientData.challenge, input.interactionUid, 'register');
      if (!taken?.binding || taken.binding.accountId !== input.accountId) return refuse('challenge');
      if (!settings.origins.includes(clientData.origin)) return refuse('origin');
      if (!isRpIdHash(authData.rpIdHash, settings.rpId)) return refuse('rp_id');
      if (!authData.flags.up) return refuse('user_presence');

      let verified;
      try {
        verified = await verifyRegistrationResponse({
          response: attestation,
          expectedChallenge: clientData.challenge,
          expectedOrigin: settings.origins,
          expectedRPID: settings.rpId,
          requireUserVerification: false,
          supportedAlgorithmIDs: ALGORITHMS,
        });
      } catch {
        return refuse('signature');
      }
      if (!verified.verified) return refuse('signature');
      const info = verified.registrationInfo;
      const passkey = {
        id: info.credential.id,
        accountId: input.accountId,
        userHandle: taken.binding.userHandle,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        counter: info.credential.counter,
        transports: (attestation.response.transports ?? []).filter((t) => /^[a-z-]{1,32}$/.test(t)),
        deviceType: info.credentialDeviceType,
        backedUp: info.credentialBackedUp,
        name: input.name,
        aaguid: info.aaguid,
      };
      if (!(await queries.insertPasskey(passkey))) return refuse('duplicate');
      return { status: 'ok', passkey: { ...passkey, createdAt: new Date(), lastUsedAt: null } };
    },
  };
}

export type PasskeyRegistration = ReturnType<typeof createPasskeyRegistration>;

export function describeRegistrationRefusal(reason: RegistrationRefusal): string {
  switch (reason) {
    case 'malformed': return t('common.passkey.not_added.malformed');
    case 'challenge': return t('common.passkey.not_added.challenge');
    case 'origin': return t('common.passkey.not_added.origin');
    case 'rp_id': return t('common.passkey.not_added.rp_id');
    case 'user_presence': return t('common.passkey.not_added.user_presence');
    case 'signature': return t('common.passkey.not_added.signature');
    case 'duplicate': return t('common.passkey.not_added.duplicate');
  }
}
