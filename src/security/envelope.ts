// Owns encryption of secrets at rest: each value gets its own data key (AES-256-GCM), wrapped by a key
// derived from FOYER_SECRET, so the master key encrypts only keys and can be rotated by re-wrapping.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from './keys.ts';

const VERSION = 'v1';

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url')).join('.');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const [iv, body, tag] = sealed.split('.').map((part) => Buffer.from(part, 'base64url'));
  if (!iv || !body || !tag) throw new Error('malformed sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]);
}

export interface SecretBox {
  encrypt(plaintext: string, context: string): string;
  decrypt(ciphertext: string, context: string): string;
}

/** `context` names what the value is (e.g. "client:demo"), so a ciphertext cannot be moved to another row. */
export function createSecretBox(masterSecret: string): SecretBox {
  const kek = deriveKey(masterSecret, 'envelope-kek');
  return {
    encrypt(plaintext, context) {
      const dataKey = randomBytes(32);
      const wrapped = seal(kek, dataKey, `${VERSION}:key:${context}`);
      const body = seal(dataKey, Buffer.from(plaintext, 'utf8'), `${VERSION}:data:${context}`);
      return `${VERSION}~${wrapped}~${body}`;
    },
    decrypt(ciphertext, context) {
      const [version, wrapped, body] = ciphertext.split('~');
      if (version !== VERSION || !wrapped || !body) throw new Error('unsupported sealed value');
      const dataKey = open(kek, wrapped, `${VERSION}:key:${context}`);
      return open(dataKey, body, `${VERSION}:data:${context}`).toString('utf8');
    },
  };
}
