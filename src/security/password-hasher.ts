// Owns password hashing: argon2id with configurable cost, rehash detection, and a decoy verification
// so an unknown account costs the same work as a known one. Hashes imported from other systems
// (imported-hashes.ts) verify too, and always ask for a rehash, so the first sign-in makes them argon2id.
import { availableParallelism } from 'node:os';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { verifyImportedHash, type ImportedHashKeys } from './imported-hashes.ts';
import { randomToken } from './tokens.ts';

export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(storedHash: string, password: string): Promise<boolean>;
  /** Same cost as verify, always false: used when there is no account to check against. */
  decoyVerify(password: string): Promise<false>;
  needsRehash(storedHash: string): boolean;
  /** Computations running now and waiting for a core (for metrics). */
  load(): { running: number; waiting: number };
}

/**
 * At most one argon2 computation per core at a time: more would not finish sooner, and each holds
 * `memoryCost` KiB, so a burst of sign-ins would otherwise grow memory with the queue.
 */
function createLimiter(slots: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const limited = async function limited<T>(work: () => Promise<T>): Promise<T> {
    // A finishing computation hands its slot straight to the next waiter.
    if (running < slots) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
  return Object.assign(limited, { load: () => ({ running, waiting: waiting.length }) });
}

const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, which type stripping cannot inline)

export function createPasswordHasher(params: Argon2Params, importedKeys: ImportedHashKeys = {}): PasswordHasher {
  const options = { algorithm: ARGON2ID, memoryCost: params.memoryCost, timeCost: params.timeCost, parallelism: params.parallelism };
  let decoyHash: Promise<string> | undefined;
  const limited = createLimiter(availableParallelism());
  const hash = (password: string) => limited(() => argon2Hash(password, options));
  const verify = (stored: string, password: string) => limited(() => (stored.startsWith('$argon2')
    ? argon2Verify(stored, password)
    : verifyImportedHash(stored, password, importedKeys)));
  const expectedParams = `m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}`;

  return {
    hash: (password) => hash(password),
    async verify(storedHash, password) {
      try {
        return await verify(storedHash, password);
      } catch {
        return false; // a malformed stored hash never signs anyone in
      }
    },
    async decoyVerify(password) {
      decoyHash ??= hash(randomToken());
      await verify(await decoyHash, password).catch(() => false);
      return false;
    },
    /** True for anything but argon2id with the current parameters (imported hashes included). */
    needsRehash(storedHash) {
      return !storedHash.startsWith('$argon2id$') || !storedHash.includes(`$${expectedParams}$`);
    },
    load: () => limited.load(),
  };
}
