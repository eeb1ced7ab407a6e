// Owns the last checks every passkey assertion goes through, for sign-in and for the second factor alike:
// a counter that moves forward, the signature against the stored key, and recording the use.
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { WebauthnSettings } from '../../config/webauthn.ts';
import type { Passkey, PasskeyQueries } from './queries.ts';

export type AssertionVerdict = { ok: true; amr: string[] } | { ok: false; reason: 'counter' | 'signature' };

export function passkeyAmr(use: { deviceType: Passkey['deviceType']; backedUp: boolean; userVerified: boolean }): string[] {
  const key = use.deviceType === 'singleDevice' && !use.backedUp ? 'hwk' : 'swk';
  return use.userVerified ? [key, 'user'] : [key];
}

export async function verifyAssertion(input: {
  queries: PasskeyQueries;
  settings: WebauthnSettings;
  assertion: AuthenticationResponseJSON;
  challenge: string;
  passkey: Passkey;
  signedCounter: number;
  requireUserVerification: boolean;
}): Promise<AssertionVerdict> {
  const { passkey, signedCounter } = input;
  // A counter that does not increase (when either side counts) means a cloned authenticator or a replay.
  if ((signedCounter > 0 || passkey.counter > 0) && signedCounter <= passkey.counter) return { ok: false, reason: 'counter' };
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response: input.assertion,
      expectedChallenge: input.challenge,
      expectedOrigin: input.settings.origins,
      expectedRPID: input.settings.rpId,
      credential: { id: passkey.id, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: passkey.counter },
      requireUserVerification: input.requireUserVerification,
    });
  } catch {
    return { ok: false, reason: 'signature' };
  }
  if (!verified.verified) return { ok: false, reason: 'signature' };
  const info = verified.authenticationInfo;
  const use = { counter: info.newCounter, deviceType: info.credentialDeviceType, backedUp: info.credentialBackedUp };
  // The update is conditional on the counter read above: a concurrent use of the same answer loses.
  if (!(await input.queries.recordPasskeyUse(passkey.id, passkey.counter, use))) return { ok: false, reason: 'counter' };
  return { ok: true, amr: passkeyAmr({ ...use, userVerified: info.userVerified }) };
}
