// Owns reading what a browser sends back from navigator.credentials.get/create: the JSON shape (zod),
// its client data (type, challenge, origin) and its authenticator data (RP ID hash, flags, counter).
import { createHash } from 'node:crypto';
import { decodeAttestationObject, parseAuthenticatorData, type ParsedAuthenticatorData } from '@simplewebauthn/server/helpers';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';

const b64url = (max: number) => z.string().max(max).regex(/^[\w-]*$/, 'not base64url');
const common = {
  id: b64url(1400).min(1),
  rawId: b64url(1400).min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

const assertionSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64url(4096).min(1),
    authenticatorData: b64url(4096).min(37),
    signature: b64url(8192).min(1), // ML-DSA signatures run to a few kilobytes
    userHandle: b64url(256).optional(),
  }),
});

const attestationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64url(4096).min(1),
    attestationObject: b64url(24_576).min(1),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }).loose(),
});

const clientDataSchema = z.object({ type: z.string(), challenge: z.string(), origin: z.string() });

export type ClientData = z.infer<typeof clientDataSchema>;

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function parseAssertion(raw: string): AuthenticationResponseJSON | undefined {
  const parsed = assertionSchema.safeParse(parseJson(raw));
  return parsed.success ? parsed.data as AuthenticationResponseJSON : undefined;
}

export function parseAttestation(raw: string): RegistrationResponseJSON | undefined {
  const parsed = attestationSchema.safeParse(parseJson(raw));
  return parsed.success ? parsed.data as RegistrationResponseJSON : undefined;
}

export function readClientData(clientDataJSON: string): ClientData | undefined {
  const parsed = clientDataSchema.safeParse(parseJson(Buffer.from(clientDataJSON, 'base64url').toString('utf8')));
  return parsed.success ? parsed.data : undefined;
}

export function readAssertionAuthData(authenticatorData: string): ParsedAuthenticatorData | undefined {
  try {
    return parseAuthenticatorData(new Uint8Array(Buffer.from(authenticatorData, 'base64url')));
  } catch {
    return undefined;
  }
}

export function readAttestationAuthData(attestationObject: string): ParsedAuthenticatorData | undefined {
  try {
    return parseAuthenticatorData(decodeAttestationObject(new Uint8Array(Buffer.from(attestationObject, 'base64url'))).get('authData'));
  } catch {
    return undefined;
  }
}

export function isRpIdHash(rpIdHash: Uint8Array, rpId: string): boolean {
  return Buffer.from(rpIdHash).equals(createHash('sha256').update(rpId).digest());
}
