import { describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../../src/security/password-hasher.ts';

const cheap = { memoryCost: 8192, timeCost: 1, parallelism: 1 };

describe('password hasher', () => {
  const hasher = createPasswordHasher(cheap);
  it('hashes with argon2id and verifies', async () => {
    const hash = await hasher.hash('violet tractor harbour');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=8192,t=1,p=1\$/);
    expect(await hasher.verify(hash, 'violet tractor harbour')).toBe(true);
    expect(await hasher.verify(hash, 'violet tractor harbor')).toBe(false);
  });
  it('never throws on a malformed stored hash', async () => {
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
  });
  it('asks for a rehash when the parameters change', async () => {
    const hash = await hasher.hash('p');
    expect(hasher.needsRehash(hash)).toBe(false);
    expect(createPasswordHasher({ ...cheap, timeCost: 2 }).needsRehash(hash)).toBe(true);
    expect(hasher.needsRehash('$argon2i$v=19$m=8192,t=1,p=1$abc$def')).toBe(true);
  });
  it('decoy verification always fails', async () => {
    expect(await hasher.decoyVerify('anything')).toBe(false);
  });
});
