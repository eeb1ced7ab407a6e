// Owns the receipt signing key: one ES256 pair made at first start, private part sealed with the secret
// box, never used for tokens (oidc-provider never sees it), every key ever used published at its own JWKS.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SecretBox } from '../../security/envelope.ts';
import type { ReceiptKeyQueries } from './queries.ts';

export const RECEIPT_ALG = 'ES256';

const context = (kid: string) => `receipt-key:${kid}`;

export function createReceiptKeys(queries: ReceiptKeyQueries, box: SecretBox) {
  let cached: { kid: string; key: CryptoKey; publicJwk: JWK } | undefined;
  return {
    /** Creates the receipt key when there is none; returns its kid. */
    async ensureReceiptKey(): Promise<string> {
      const active = await queries.findActiveReceiptKey();
      if (active) return active.kid;
      const { privateKey, publicKey } = await generateKeyPair(RECEIPT_ALG, { extractable: true });
      const publicJwk = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(publicJwk);
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: RECEIPT_ALG };
      await queries.insertReceiptKey({
        kid, alg: RECEIPT_ALG, privateJwkEncrypted: box.encrypt(JSON.stringify(privateJwk), context(kid)), publicJwk: { ...publicJwk, kid, alg: RECEIPT_ALG, use: 'sig' },
      });
      // Two instances starting at once may both insert; the newest active key signs, and both stay published.
      return (await queries.findActiveReceiptKey())!.kid;
    },
    async signingKey(): Promise<{ kid: string; key: CryptoKey; publicJwk: JWK }> {
      if (cached) return cached;
      const row = await queries.findActiveReceiptKey();
      if (!row) throw new Error('no consent receipt key: ensureReceiptKey() runs at start');
      const jwk = JSON.parse(box.decrypt(row.private_jwk_encrypted, context(row.kid))) as JWK;
      cached = { kid: row.kid, key: (await importJWK(jwk, RECEIPT_ALG)) as CryptoKey, publicJwk: row.public_jwk };
      return cached;
    },
    /** The public receipt keys, every one ever used (receipts stay provable). */
    async jwks(): Promise<{ keys: JWK[] }> {
      return { keys: await queries.listReceiptPublicKeys() };
    },
  };
}

export type ReceiptKeys = ReturnType<typeof createReceiptKeys>;
