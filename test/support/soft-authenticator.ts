// A software WebAuthn authenticator for tests: a real P-256 key, "none" attestation and ES256 assertions
// built byte by byte as the spec lays them out, with knobs to make each one wrong in a chosen way.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface AssertionTweaks {
  origin?: string;
  rpId?: string;
  challenge?: string;
  userVerified?: boolean;
  /** Counter to report; by default one more than the last. */
  counter?: number;
  type?: string;
}

export interface SoftAuthenticator {
  credentialId: string;
  /** navigator.credentials.create: registers a discoverable credential for options.user.id. */
  create(options: PublicKeyCredentialCreationOptionsJSON, origin: string): RegistrationResponseJSON;
  /** navigator.credentials.get: signs the challenge with the credential. */
  get(options: PublicKeyCredentialRequestOptionsJSON, origin: string, tweaks?: AssertionTweaks): AuthenticationResponseJSON;
}

export function createSoftAuthenticator(options: { synced?: boolean } = {}): SoftAuthenticator {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }) as { privateKey: KeyObject; publicKey: KeyObject };
  const credentialId = randomBytes(16);
  const backup = options.synced ? FLAG_BE | FLAG_BS : 0;
  let userHandle = '';
  let rpIdOfCredential = '';
  let counter = 0;

  const counterBytes = (value: number) => {
    const buf = Buffer.alloc(4);
    buf.writeUInt32BE(value);
    return buf;
  };
  const clientData = (type: string, challenge: string, origin: string) =>
    Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

  return {
    credentialId: b64(credentialId),
    create(creation, origin) {
      userHandle = creation.user.id;
      rpIdOfCredential = creation.rp.id!;
      const jwk = publicKey.export({ format: 'jwk' });
      const cose = new Map<number, number | Uint8Array>([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')]]);
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(credentialId.length);
      const authData = Buffer.concat([
        sha256(rpIdOfCredential), Buffer.from([FLAG_UP | FLAG_UV | FLAG_AT | backup]), counterBytes(counter),
        Buffer.alloc(16), idLength, credentialId, Buffer.from(isoCBOR.encode(cose as never)),
      ]);
      const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(authData)]]) as never);
      return {
        id: b64(credentialId), rawId: b64(credentialId), type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64(clientData('webauthn.create', creation.challenge, origin)), attestationObject: b64(attestationObject), transports: ['internal'] },
      };
    },
    get(request, origin, tweaks = {}) {
      counter = tweaks.counter ?? counter + 1;
      const flags = FLAG_UP | (tweaks.userVerified === false ? 0 : FLAG_UV) | backup;
      const authData = Buffer.concat([sha256(tweaks.rpId ?? request.rpId ?? rpIdOfCredential), Buffer.from([flags]), counterBytes(counter)]);
      const data = clientData(tweaks.type ?? 'webauthn.get', tweaks.challenge ?? request.challenge, tweaks.origin ?? origin);
      const signature = sign('sha256', Buffer.concat([authData, sha256(data)]), privateKey);
      return {
        id: b64(credentialId), rawId: b64(credentialId), type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64(data), authenticatorData: b64(authData), signature: b64(signature), userHandle },
      };
    },
  };
}
