// Owns turning a password hash as other systems export it into the form Foyer stores (src/security/imported-hashes.ts):
// a hash string (bcrypt, argon2, PBKDF2, scrypt or Firebase scrypt), Keycloak's credential (value, salt,
// iterations) or Auth0's bulk-import custom_password_hash object. Nothing here hashes: it only re-encodes.
import { z } from 'zod';
import {
  argon2HashString, checkImportedHash, firebaseScryptHashString, pbkdf2HashString, scryptHashString,
} from '../../security/imported-hashes.ts';

/** Firebase's project parameters (config); the signer key itself is only known to be configured. */
export interface FirebaseProject {
  memCost: number;
  rounds: number;
  saltSeparator: string;
  signerKeyConfigured: boolean;
}

export type PasswordResult = { hash: string } | { problem: string };

const integer = z.union([z.number().int(), z.string().regex(/^\d{1,10}$/).transform(Number)]);
/** Keycloak exports secretData and credentialData as JSON inside strings. */
const jsonIn = <T extends z.ZodType>(schema: T) => z.union([
  schema,
  z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'schema.import.json' });
      return z.NEVER;
    }
  }).pipe(schema),
]);

export const keycloakCredentialSchema = z.object({
  type: z.string(),
  secretData: jsonIn(z.object({ value: z.string(), salt: z.string().optional() }).loose()),
  credentialData: jsonIn(z.object({
    hashIterations: integer, algorithm: z.string(),
    additionalParameters: z.record(z.string(), z.array(z.string())).optional(),
  }).loose()),
}).loose();

const encoded = z.object({ value: z.string(), encoding: z.enum(['base64', 'hex', 'utf8']).optional() });
export const auth0HashSchema = z.object({
  algorithm: z.string(),
  hash: encoded.extend({ digest: z.string().optional(), key: z.unknown().optional() }),
  salt: encoded.extend({ position: z.enum(['prefix', 'suffix']).optional() }).optional(),
  password: z.object({ encoding: z.string().optional() }).optional(),
  keylen: integer.optional(),
  cost: integer.optional(),
  blockSize: integer.optional(),
  parallelization: integer.optional(),
}).strict();

type KeycloakCredential = z.infer<typeof keycloakCredentialSchema>;
type Auth0Hash = z.infer<typeof auth0HashSchema>;

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
function bytes(value: string, encoding: 'base64' | 'hex' | 'utf8', what: string): Buffer {
  if (encoding === 'base64' && !BASE64.test(value)) throw new Error(`${what} is not base64`);
  if (encoding === 'hex' && !/^([0-9a-f]{2})*$/i.test(value)) throw new Error(`${what} is not hex`);
  return Buffer.from(value, encoding === 'base64' ? 'base64' : encoding);
}

/** A stored form is only kept when it verifies later: checked here, and Firebase's needs the project's key. */
function checked(hash: string, firebase: FirebaseProject | undefined): PasswordResult {
  const verdict = checkImportedHash(hash);
  if ('problem' in verdict) return verdict;
  if (verdict.kind === 'firebase-scrypt' && !firebase?.signerKeyConfigured) {
    return { problem: 'Firebase scrypt hashes need passwordImport.firebaseScrypt (the project\'s signer key) in the configuration' };
  }
  return { hash };
}

/**
 * A hash string as given: bcrypt's as it is; PHC strings with base64 padding dropped; a Firebase scrypt
 * string without parameters (`$firebase-scrypt$SALT$HASH`) gets the project's from the configuration.
 */
export function fromHashString(value: string, firebase: FirebaseProject | undefined): PasswordResult {
  if (value.startsWith('$2')) return checked(value, firebase);
  const unpadded = value.replace(/=+(?=\$|$)/g, '');
  const bare = /^\$firebase-scrypt\$([^$=,]+)\$([^$=,]+)$/.exec(unpadded);
  if (bare) {
    if (!firebase) return { problem: 'Firebase scrypt hashes need passwordImport.firebaseScrypt (the project\'s parameters) in the configuration' };
    return checked(firebaseScryptHashString({
      memCost: firebase.memCost, rounds: firebase.rounds, saltSeparator: Buffer.from(firebase.saltSeparator, 'base64'),
      salt: Buffer.from(bare[1]!, 'base64'), hash: Buffer.from(bare[2]!, 'base64'),
    }), firebase);
  }
  return checked(unpadded, firebase);
}

const KEYCLOAK_PBKDF2 = { 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' } as const;

/** Keycloak's password credential (its user export or realm export): PBKDF2-SHA256/512, or argon2. */
export function fromKeycloak(credentials: KeycloakCredential[], firebase: FirebaseProject | undefined): PasswordResult {
  const password = credentials.filter((c) => c.type === 'password');
  if (password.length !== 1) return { problem: `credentials: give exactly one of type "password" (found ${password.length})` };
  const { secretData, credentialData } = password[0]!;
  const algorithm = credentialData.algorithm;
  try {
    const hash = bytes(secretData.value, 'base64', 'credentials.secretData.value');
    const salt = bytes(secretData.salt ?? '', 'base64', 'credentials.secretData.salt');
    if (algorithm in KEYCLOAK_PBKDF2) {
      return checked(pbkdf2HashString(KEYCLOAK_PBKDF2[algorithm as keyof typeof KEYCLOAK_PBKDF2], credentialData.hashIterations, salt, hash), firebase);
    }
    if (algorithm === 'argon2') {
      const param = (name: string, fallback: string) => credentialData.additionalParameters?.[name]?.[0] ?? fallback;
      const type = param('type', 'id');
      if (type !== 'id' && type !== 'i' && type !== 'd') return { problem: `credentials: unknown argon2 type "${type}"` };
      return checked(argon2HashString({
        type, version: param('version', '1.3') === '1.0' ? 16 : 19, memoryKib: Number(param('memory', '7168')), iterations: credentialData.hashIterations,
        parallelism: Number(param('parallelism', '1')), salt, hash,
      }), firebase);
    }
  } catch (error) {
    return { problem: (error as Error).message };
  }
  return { problem: `credentials: Keycloak's "${algorithm}" is not supported (pbkdf2-sha256, pbkdf2-sha512 and argon2 are)` };
}

/** Auth0's bulk-import custom_password_hash, for the algorithms Foyer verifies: bcrypt, argon2, pbkdf2, scrypt. */
export function fromAuth0(custom: Auth0Hash, firebase: FirebaseProject | undefined): PasswordResult {
  const { algorithm, hash, salt } = custom;
  if (custom.password?.encoding && custom.password.encoding !== 'utf8') return { problem: `custom_password_hash.password.encoding "${custom.password.encoding}" is not supported (utf8 is)` };
  if (['bcrypt', 'argon2', 'pbkdf2'].includes(algorithm)) {
    // Auth0 takes these as strings: bcrypt's modular crypt format, PHC for argon2 and pbkdf2.
    if (hash.encoding && hash.encoding !== 'utf8') return { problem: `custom_password_hash.hash.encoding must be utf8 for ${algorithm}` };
    const prefix = { bcrypt: '$2', argon2: '$argon2', pbkdf2: '$pbkdf2-' }[algorithm as 'bcrypt' | 'argon2' | 'pbkdf2'];
    if (!hash.value.startsWith(prefix)) return { problem: `custom_password_hash.hash.value is not a ${algorithm} string` };
    return fromHashString(hash.value, firebase);
  }
  if (algorithm === 'scrypt') {
    if (!salt) return { problem: 'custom_password_hash.salt is required for scrypt' };
    try {
      const key = bytes(hash.value, hash.encoding ?? 'base64', 'custom_password_hash.hash.value');
      const saltBytes = bytes(salt.value, salt.encoding ?? 'utf8', 'custom_password_hash.salt.value');
      const cost = custom.cost ?? 16384;
      if (!Number.isInteger(Math.log2(cost))) return { problem: 'custom_password_hash.cost must be a power of two' };
      if (custom.keylen !== undefined && custom.keylen !== key.length) return { problem: `custom_password_hash.keylen is ${custom.keylen} but the hash is ${key.length} bytes` };
      return checked(scryptHashString({ cost, blockSize: custom.blockSize ?? 8, parallelization: custom.parallelization ?? 1, salt: saltBytes, hash: key }), firebase);
    } catch (error) {
      return { problem: (error as Error).message };
    }
  }
  return { problem: `custom_password_hash.algorithm "${algorithm}" is not supported (bcrypt, argon2, pbkdf2 and scrypt are)` };
}
