import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../src/security/envelope.ts';
import { constantTimeEqual, keyedHash, randomDigits } from '../../../src/security/tokens.ts';

describe('secret box', () => {
  const box = createSecretBox('a'.repeat(32));
  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt('s3cret-value', 'client:a');
    expect(sealed).not.toContain('s3cret');
    expect(box.decrypt(sealed, 'client:a')).toBe('s3cret-value');
  });
  it('gives a different ciphertext each time', () => {
    expect(box.encrypt('x', 'c')).not.toBe(box.encrypt('x', 'c'));
  });
  it('refuses a ciphertext moved to another row, or opened with another secret', () => {
    const sealed = box.encrypt('value', 'client:a');
    expect(() => box.decrypt(sealed, 'client:b')).toThrow();
    expect(() => createSecretBox('b'.repeat(32)).decrypt(sealed, 'client:a')).toThrow();
  });
  it('refuses a tampered ciphertext', () => {
    const sealed = box.encrypt('value', 'c');
    const tampered = sealed.slice(0, -3) + (sealed.endsWith('A') ? 'BBB' : 'AAA');
    expect(() => box.decrypt(tampered, 'c')).toThrow();
  });
});

describe('tokens', () => {
  it('makes 6-digit codes', () => {
    for (let i = 0; i < 50; i++) expect(randomDigits(6)).toMatch(/^\d{6}$/);
  });
  it('keys hashes by secret', () => {
    expect(keyedHash(Buffer.from('k1'), 'v')).not.toBe(keyedHash(Buffer.from('k2'), 'v'));
  });
  it('compares in constant time, including different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
