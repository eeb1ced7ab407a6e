import { pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { hashSync as bcryptHash } from '@node-rs/bcrypt';
import { hash as argon2Hash } from '@node-rs/argon2';
import { FirebaseScrypt } from 'firebase-scrypt';
import { describe, expect, it } from 'vitest';
import { checkImportedHash, firebaseScryptHashString, pbkdf2HashString, scryptHashString } from '../../../src/security/imported-hashes.ts';
import { createPasswordHasher } from '../../../src/security/password-hasher.ts';
import { FIREBASE_TEST } from '../../support/import-fixtures.ts';

const cheap = { memoryCost: 8192, timeCost: 1, parallelism: 1 };
const hasher = createPasswordHasher(cheap, { firebaseSignerKey: FIREBASE_TEST.signerKey });
const password = 'correct horse battery';

async function expectVerifies(stored: string) {
  expect(checkImportedHash(stored)).toHaveProperty('kind');
  expect(await hasher.verify(stored, password)).toBe(true);
  expect(await hasher.verify(stored, `${password}!`)).toBe(false);
  expect(hasher.needsRehash(stored)).toBe(true);
}

describe('imported password hashes', () => {
  it('verifies bcrypt in its $2a$, $2b$ and $2y$ forms', async () => {
    const b = bcryptHash(password, 4);
    expect(b).toMatch(/^\$2b\$04\$/);
    // $2a$ and $2y$ name the same algorithm for such passwords (PHP writes $2y$, older libraries $2a$).
    for (const prefix of ['$2a$', '$2b$', '$2y$']) await expectVerifies(prefix + b.slice(4));
  });
  it('verifies argon2 PHC strings of other parameters and variants, and asks for a rehash', async () => {
    await expectVerifies(await argon2Hash(password, { algorithm: 1, memoryCost: 8192, timeCost: 2, parallelism: 1 }));
    await expectVerifies(await argon2Hash(password, { algorithm: 2, memoryCost: 9216, timeCost: 1, parallelism: 1 }));
  });
  it('verifies PBKDF2-SHA256 and SHA512 (node crypto)', async () => {
    const salt = randomBytes(16);
    await expectVerifies(pbkdf2HashString('sha256', 1000, salt, pbkdf2Sync(password, salt, 1000, 64, 'sha256')));
    await expectVerifies(pbkdf2HashString('sha512', 1000, salt, pbkdf2Sync(password, salt, 1000, 32, 'sha512')));
  });
  it('verifies standard scrypt', async () => {
    const salt = randomBytes(16);
    await expectVerifies(scryptHashString({ cost: 1024, blockSize: 8, parallelization: 1, salt, hash: scryptSync(password, salt, 64, { N: 1024, r: 8, p: 1 }) }));
  });
  it('verifies Firebase scrypt with the published test parameters, and only with the signer key', async () => {
    const stored = firebaseScryptHashString({
      memCost: FIREBASE_TEST.memCost, rounds: FIREBASE_TEST.rounds, saltSeparator: Buffer.from(FIREBASE_TEST.saltSeparator, 'base64'),
      salt: Buffer.from(FIREBASE_TEST.salt, 'base64'), hash: Buffer.from(FIREBASE_TEST.hash, 'base64'),
    });
    expect(await hasher.verify(stored, FIREBASE_TEST.password)).toBe(true);
    expect(await hasher.verify(stored, 'user2password')).toBe(false);
    expect(await createPasswordHasher(cheap).verify(stored, FIREBASE_TEST.password)).toBe(false);
    // The library agrees with Firebase's own vector: the stored form carries everything but the key.
    const library = new FirebaseScrypt({ memCost: 14, rounds: 8, saltSeparator: FIREBASE_TEST.saltSeparator, signerKey: FIREBASE_TEST.signerKey });
    expect(await library.hash(FIREBASE_TEST.password, FIREBASE_TEST.salt)).toBe(FIREBASE_TEST.hash);
  });
  it('refuses malformed hashes and parameters that would make a sign-in too costly', async () => {
    for (const stored of ['', 'plain', '$2b$10$short', '$2b$31$' + 'a'.repeat(53), '$pbkdf2-sha256$i=99999999,l=32$c2FsdA$' + 'A'.repeat(43),
      '$scrypt$ln=25,r=8,p=1$c2FsdA$' + 'A'.repeat(43), '$md5$abc$def', '$pbkdf2-sha1$i=1000$c2FsdA$' + 'A'.repeat(43)]) {
      expect(checkImportedHash(stored)).toHaveProperty('problem');
      expect(await hasher.verify(stored, password)).toBe(false);
    }
  });
});
