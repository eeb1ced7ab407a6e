// Owns password hashing: argon2id with configurable cost, rehash detection, and a decoy verification
// so an unknown account costs the same work as a known one.
import { hash, verify } from '@node-rs/argon2';
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
}

const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, which type stripping cannot inline)

export function createPasswordHasher(params: Argon2Params): PasswordHasher {
  const options = { algorithm: ARGON2ID, memoryCost: params.memoryCost, timeCost: params.timeCost, parallelism: params.parallelism };
  let decoyHash: Promise<string> | undefined;
  const expectedParams = `m=${params.memoryCost},t=${params.timeCost},p=${params.parallelism}`;

  return {
    hash: (password) => hash(password, options),
    async verify(storedHash, password) {
      try {
        return await verify(storedHash, password);
      } catch {
        return false; // a malformed stored hash never signs anyone in
      }
    },
    async decoyVerify(password) {
      decoyHash ??= hash(randomToken(), options);
      await verify(await decoyHash, password).catch(() => false);
      return false;
    },
    needsRehash(storedHash) {
      return !storedHash.startsWith('$argon2id$') || !storedHash.includes(`$${expectedParams}$`);
    },
  };
}
