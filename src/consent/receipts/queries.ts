// Owns the consent_receipt_keys table: the dedicated receipt signing keys (private part sealed). Rows are
// never deleted: a receipt must stay provable for as long as anyone may ask.
import type { JWK } from 'jose';
import type { Db } from '../../db/create-db.ts';

export interface ReceiptKeyRow {
  kid: string;
  alg: string;
  private_jwk_encrypted: string;
  public_jwk: JWK;
  retired_at: Date | null;
  created_at: Date;
}

export function createReceiptKeyQueries(db: Db) {
  return {
    async findActiveReceiptKey(): Promise<ReceiptKeyRow | undefined> {
      return (await db('consent_receipt_keys').whereNull('retired_at').orderBy('created_at', 'desc').first()) as ReceiptKeyRow | undefined;
    },
    async listReceiptPublicKeys(): Promise<JWK[]> {
      return ((await db('consent_receipt_keys').orderBy('created_at', 'desc').select('public_jwk')) as { public_jwk: JWK }[]).map((r) => r.public_jwk);
    },
    async insertReceiptKey(row: { kid: string; alg: string; privateJwkEncrypted: string; publicJwk: JWK }): Promise<void> {
      await db('consent_receipt_keys').insert({ kid: row.kid, alg: row.alg, private_jwk_encrypted: row.privateJwkEncrypted, public_jwk: JSON.stringify(row.publicJwk) })
        .onConflict('kid').ignore();
    },
  };
}

export type ReceiptKeyQueries = ReturnType<typeof createReceiptKeyQueries>;
