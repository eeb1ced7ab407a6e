// Owns random tokens and codes, their storage hashes, and constant-time comparison.
import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A numeric one-time code of `digits` digits, uniformly random. */
export function randomDigits(digits = 6): string {
  return randomInt(0, 10 ** digits).toString().padStart(digits, '0');
}

/** A numeric code of `digits` digits derived from a high-entropy secret: whoever holds the secret can show it again. */
export function digitsFromSecret(secret: string, label: string, digits = 6): string {
  const value = createHmac('sha256', secret).update(label).digest().readBigUInt64BE(0) % 10n ** BigInt(digits);
  return value.toString().padStart(digits, '0');
}

/** High-entropy tokens are stored as plain SHA-256: guessing the preimage is infeasible. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Low-entropy values (codes, emails) are stored keyed, so a stolen table cannot be brute-forced offline. */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
