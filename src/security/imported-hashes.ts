// Owns password hashes brought in from other systems (the customer import): their stored form and their
// verification, each through its library (bcrypt, node's pbkdf2 and scrypt, firebase-scrypt, @phc/format for
// the strings). Foyer never makes these: a match at sign-in is replaced by argon2id (password-hasher.ts).
//
// Stored forms (PHC strings, salt and hash in base64 without padding, as Auth0's bulk import also takes them):
//   bcrypt           $2a$ / $2b$ / $2y$ modular crypt strings, as they are
//   argon2           $argon2id$ / $argon2i$ / $argon2d$ PHC strings, as they are (verified by @node-rs/argon2)
//   PBKDF2           $pbkdf2-sha256$i=ITERATIONS,l=KEYLEN$SALT$HASH   (also pbkdf2-sha512)
//   scrypt           $scrypt$ln=LOG2_N,r=R,p=P$SALT$HASH               (the key length is the hash's)
//   Firebase scrypt  $firebase-scrypt$m=MEM_COST,r=ROUNDS,s=SEPARATOR$SALT$HASH; the project's signer key is
//                    configuration (a secret), never stored beside the hash
import { pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import phc, { type PhcObject } from '@phc/format';
import { FirebaseScrypt } from 'firebase-scrypt';

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** The Firebase project's signer key (base64), from configuration. */
export interface ImportedHashKeys {
  firebaseSignerKey?: string | undefined;
}

export type ImportedHashKind = 'bcrypt' | 'argon2' | 'pbkdf2' | 'scrypt' | 'firebase-scrypt';

// Bounds on the work one sign-in may cost: a hash beyond them is refused at import, and never verified.
export const LIMITS = {
  bcryptCost: 15,
  pbkdf2Iterations: 2_000_000,
  scryptLogN: 20,
  scryptBlockSize: 32,
  scryptParallelization: 16,
  scryptMemoryBytes: 256 * 1024 * 1024,
  argon2MemoryKib: 262_144,
  argon2Time: 16,
  keyLength: { min: 16, max: 128 },
} as const;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const PBKDF2_DIGESTS = { 'pbkdf2-sha256': 'sha256', 'pbkdf2-sha512': 'sha512' } as const;
type Pbkdf2Id = keyof typeof PBKDF2_DIGESTS;

type Parsed =
  | { kind: 'bcrypt'; stored: string }
  | { kind: 'argon2'; stored: string }
  | { kind: 'pbkdf2'; digest: 'sha256' | 'sha512'; iterations: number; salt: Buffer; hash: Buffer }
  | { kind: 'scrypt'; n: number; r: number; p: number; salt: Buffer; hash: Buffer }
  | { kind: 'firebase-scrypt'; memCost: number; rounds: number; separator: Buffer; salt: Buffer; hash: Buffer };

const int = (value: unknown, min: number, max: number): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : undefined;

class HashProblem extends Error {}

function keyOf(object: PhcObject, what: string): { salt: Buffer; hash: Buffer } {
  if (!object.salt?.length || !object.hash) throw new HashProblem(`${what} needs a salt and a hash`);
  if (object.hash.length < LIMITS.keyLength.min || object.hash.length > LIMITS.keyLength.max) {
    throw new HashProblem(`${what}: the hash must be ${LIMITS.keyLength.min} to ${LIMITS.keyLength.max} bytes`);
  }
  return { salt: object.salt, hash: object.hash };
}

function parsePhc(stored: string): Parsed {
  let object: PhcObject;
  try {
    object = phc.deserialize(stored);
  } catch (error) {
    throw new HashProblem(`not a PHC string (${(error as Error).message})`);
  }
  const params = object.params ?? {};
  if (object.id.startsWith('argon2')) {
    if (!['argon2id', 'argon2i', 'argon2d'].includes(object.id)) throw new HashProblem(`unknown argon2 variant ${object.id}`);
    if (int(params.m, 8, LIMITS.argon2MemoryKib) === undefined || int(params.t, 1, LIMITS.argon2Time) === undefined || int(params.p, 1, 16) === undefined) {
      throw new HashProblem(`argon2 needs m (at most ${LIMITS.argon2MemoryKib} KiB), t (at most ${LIMITS.argon2Time}) and p (at most 16)`);
    }
    keyOf(object, 'argon2');
    return { kind: 'argon2', stored };
  }
  if (object.id in PBKDF2_DIGESTS) {
    const iterations = int(params.i, 1, LIMITS.pbkdf2Iterations);
    if (iterations === undefined) throw new HashProblem(`PBKDF2 needs i, the iterations (1 to ${LIMITS.pbkdf2Iterations})`);
    const key = keyOf(object, 'PBKDF2');
    if (params.l !== undefined && params.l !== key.hash.length) throw new HashProblem(`PBKDF2: l=${params.l} but the hash is ${key.hash.length} bytes`);
    return { kind: 'pbkdf2', digest: PBKDF2_DIGESTS[object.id as Pbkdf2Id], iterations, ...key };
  }
  if (object.id === 'scrypt') {
    const ln = int(params.ln, 1, LIMITS.scryptLogN);
    const r = int(params.r, 1, LIMITS.scryptBlockSize);
    const p = int(params.p, 1, LIMITS.scryptParallelization);
    if (ln === undefined || r === undefined || p === undefined) {
      throw new HashProblem(`scrypt needs ln (log2 of the cost, 1 to ${LIMITS.scryptLogN}), r (1 to ${LIMITS.scryptBlockSize}) and p (1 to ${LIMITS.scryptParallelization})`);
    }
    if (128 * 2 ** ln * r * p > LIMITS.scryptMemoryBytes) throw new HashProblem('scrypt: these parameters need more memory than a sign-in may take (256 MiB)');
    return { kind: 'scrypt', n: 2 ** ln, r, p, ...keyOf(object, 'scrypt') };
  }
  if (object.id === 'firebase-scrypt') {
    const memCost = int(params.m, 1, LIMITS.scryptLogN);
    const rounds = int(params.r, 1, LIMITS.scryptBlockSize);
    if (memCost === undefined || rounds === undefined) throw new HashProblem(`Firebase scrypt needs m, the mem cost (1 to ${LIMITS.scryptLogN}) and r, the rounds (1 to ${LIMITS.scryptBlockSize})`);
    const separator = params.s === undefined ? Buffer.alloc(0) : Buffer.from(String(params.s), 'base64');
    return { kind: 'firebase-scrypt', memCost, rounds, separator, ...keyOf(object, 'Firebase scrypt') };
  }
  throw new HashProblem(`unknown hash algorithm "${object.id}"`);
}

function parse(stored: string): Parsed {
  if (stored.startsWith('$2')) {
    const match = BCRYPT.exec(stored);
    if (!match) throw new HashProblem('not a bcrypt string ($2a$, $2b$ or $2y$, a two-digit cost, 53 characters of salt and hash)');
    const cost = Number(match[1]);
    if (cost < 4 || cost > LIMITS.bcryptCost) throw new HashProblem(`bcrypt cost ${cost} is outside 4 to ${LIMITS.bcryptCost}`);
    return { kind: 'bcrypt', stored };
  }
  return parsePhc(stored);
}

/** The kind of a hash an import may store, or why it may not (undefined kind). */
export function checkImportedHash(stored: string): { kind: ImportedHashKind } | { problem: string } {
  try {
    return { kind: parse(stored).kind };
  } catch (error) {
    if (error instanceof HashProblem) return { problem: error.message };
    throw error;
  }
}

const equal = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** Checks a password against an imported hash; false for a mismatch, a malformed hash or a missing key. */
export async function verifyImportedHash(stored: string, password: string, keys: ImportedHashKeys): Promise<boolean> {
  let parsed: Parsed;
  try {
    parsed = parse(stored);
  } catch {
    return false;
  }
  switch (parsed.kind) {
    case 'bcrypt':
      return bcryptVerify(password, parsed.stored);
    case 'argon2':
      return false; // argon2 is the hasher's own
    case 'pbkdf2':
      return equal(await pbkdf2Async(password, parsed.salt, parsed.iterations, parsed.hash.length, parsed.digest), parsed.hash);
    case 'scrypt': {
      const options = { N: parsed.n, r: parsed.r, p: parsed.p, maxmem: 2 * 128 * parsed.n * parsed.r * parsed.p };
      return equal(await scryptAsync(password, parsed.salt, parsed.hash.length, options), parsed.hash);
    }
    case 'firebase-scrypt': {
      if (!keys.firebaseSignerKey || !password) return false;
      const firebase = new FirebaseScrypt({ memCost: parsed.memCost, rounds: parsed.rounds, saltSeparator: parsed.separator.toString('base64'), signerKey: keys.firebaseSignerKey });
      return firebase.verify(password, parsed.salt.toString('base64'), parsed.hash.toString('base64'));
    }
  }
}

/** The stored form of a PBKDF2 hash (Keycloak's value, salt and iterations; Auth0's PHC string). */
export function pbkdf2HashString(digest: 'sha256' | 'sha512', iterations: number, salt: Buffer, hash: Buffer): string {
  return phc.serialize({ id: `pbkdf2-${digest}`, params: { i: iterations, l: hash.length }, salt, hash });
}

/** The stored form of a standard scrypt hash; `cost` is N (a power of two). */
export function scryptHashString(input: { cost: number; blockSize: number; parallelization: number; salt: Buffer; hash: Buffer }): string {
  return phc.serialize({ id: 'scrypt', params: { ln: Math.log2(input.cost), r: input.blockSize, p: input.parallelization }, salt: input.salt, hash: input.hash });
}

/** The stored form of a Firebase scrypt hash: the project's parameters but its signer key, then the customer's salt and hash. */
export function firebaseScryptHashString(input: { memCost: number; rounds: number; saltSeparator: Buffer; salt: Buffer; hash: Buffer }): string {
  const params: Record<string, string | number> = { m: input.memCost, r: input.rounds };
  if (input.saltSeparator.length) params.s = input.saltSeparator.toString('base64').replace(/=+$/, '');
  return phc.serialize({ id: 'firebase-scrypt', params, salt: input.salt, hash: input.hash });
}

/** An argon2 hash from its parts (Keycloak keeps them apart). */
export function argon2HashString(input: { type: 'id' | 'i' | 'd'; version: number; memoryKib: number; iterations: number; parallelism: number; salt: Buffer; hash: Buffer }): string {
  return phc.serialize({ id: `argon2${input.type}`, version: input.version, params: { m: input.memoryKib, t: input.iterations, p: input.parallelism }, salt: input.salt, hash: input.hash });
}
