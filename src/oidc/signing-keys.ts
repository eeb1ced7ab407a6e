// Owns signing keys: created on first start (ES256 first, so it signs by default; RS256 for clients that
// ask), sealed at rest, rotated with the previous key kept published until its tokens have expired.
import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Db } from '../db/create-db.ts';
import type { SecretBox } from '../security/envelope.ts';

const ALGORITHMS = ['ES256', 'RS256'] as const;
type SigningAlg = (typeof ALGORITHMS)[number];

interface KeyRow {
  kid: string;
  alg: SigningAlg;
  private_jwk_encrypted: string;
  retired_at: Date | null;
  created_at: Date;
}

export interface KeySet {
  /** Private JWKs, active keys first (oidc-provider signs with the first match). */
  keys: JWK[];
  /** Changes whenever a key is added or retired. */
  version: string;
}

async function generate(alg: SigningAlg): Promise<JWK> {
  const pair = alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = pair.privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg, use: 'sig' };
}

// Active before retired, ES256 before RS256, newest first: oidc-provider signs with the first match.
type KeyMeta = Pick<KeyRow, 'kid' | 'alg' | 'retired_at' | 'created_at'>;
const byPreference = (a: KeyMeta, b: KeyMeta) => Number(a.retired_at !== null) - Number(b.retired_at !== null)
  || ALGORITHMS.indexOf(a.alg) - ALGORITHMS.indexOf(b.alg)
  || new Date(b.created_at).getTime() - new Date(a.created_at).getTime();

const versionOf = (rows: KeyMeta[]) => rows.map((row) => `${row.kid}:${row.retired_at ? 'r' : 'a'}`).join(',');

function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

export interface SigningKeyInfo {
  kid: string;
  alg: SigningAlg;
  use: 'sig';
  /** active: signs; retiring: retired but still published until its tokens expire; retired: gone from the JWKS. */
  status: 'active' | 'retiring' | 'retired';
  createdAt: Date;
  retiredAt: Date | null;
  /** When a retired key leaves the JWKS (its tokens have expired by then). */
  publishedUntil: Date | null;
}

export function createSigningKeyStore(db: Db, box: SecretBox) {
  const context = (kid: string) => `signing-key:${kid}`;

  const publishedKeys = () => db<KeyRow>('signing_keys')
    .where((q) => q.whereNull('retired_at').orWhere('publish_until', '>', db.fn.now()));

  async function sealedRow(alg: SigningAlg) {
    const jwk = await generate(alg);
    return { kid: jwk.kid!, alg, private_jwk_encrypted: box.encrypt(JSON.stringify(jwk), context(jwk.kid!)), public_jwk: JSON.stringify(publicPart(jwk)) };
  }

  async function insertKey(alg: SigningAlg): Promise<string> {
    const row = await sealedRow(alg);
    await db('signing_keys').insert(row);
    return row.kid;
  }

  return {
    /** Creates any missing active key; returns the kids it created. */
    async ensureActiveKeys(): Promise<string[]> {
      const active = await db('signing_keys').whereNull('retired_at').select('alg') as { alg: string }[];
      const created: string[] = [];
      for (const alg of ALGORITHMS) {
        if (!active.some((row) => row.alg === alg)) created.push(await insertKey(alg));
      }
      return created;
    },
    /** Retires the active keys (still published for `publishSeconds`) and creates new ones. */
    async rotate(publishSeconds: number): Promise<{ retired: string[]; created: string[] }> {
      // Keys are made (and sealed) before the transaction; inside it, rotations queue on a table lock that
      // readers pass (SHARE ROW EXCLUSIVE conflicts with itself and with writes only), and what follows the
      // wait sees what a rotation just before made: rotations sent at once leave one active key per algorithm.
      const rows = await Promise.all(ALGORITHMS.map(sealedRow));
      const retired = await db.transaction(async (trx) => {
        await trx.raw('LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE');
        const gone = await trx('signing_keys').whereNull('retired_at').update({
          retired_at: trx.fn.now(),
          publish_until: trx.raw('now() + make_interval(secs => ?)', [publishSeconds]),
        }).returning('kid') as { kid: string }[];
        await trx('signing_keys').insert(rows);
        return gone.map((r) => r.kid);
      });
      return { retired, created: rows.map((r) => r.kid) };
    },
    /** Every key's metadata (never the private part), newest first: what the admin API and pages list. */
    async listKeys(): Promise<SigningKeyInfo[]> {
      const rows = await db('signing_keys').select('kid', 'alg', 'retired_at', 'publish_until', 'created_at').orderBy('created_at', 'desc') as (KeyMeta & { publish_until: Date | null })[];
      return rows.map((row) => ({
        kid: row.kid, alg: row.alg, use: 'sig' as const, status: row.retired_at === null ? 'active' as const : row.publish_until && new Date(row.publish_until) > new Date() ? 'retiring' as const : 'retired' as const,
        createdAt: new Date(row.created_at), retiredAt: row.retired_at && new Date(row.retired_at), publishedUntil: row.publish_until && new Date(row.publish_until),
      }));
    },
    async loadKeySet(): Promise<KeySet> {
      const rows = (await publishedKeys().select('*')).sort(byPreference);
      return {
        keys: rows.map((row) => JSON.parse(box.decrypt(row.private_jwk_encrypted, context(row.kid))) as JWK),
        version: versionOf(rows),
      };
    },
    /** The published public keys (what /jwks serves): for checking tokens Foyer issued to its own APIs. */
    async loadPublicKeys(): Promise<JWK[]> {
      const rows = await publishedKeys().select('public_jwk') as { public_jwk: JWK }[];
      return rows.map((row) => row.public_jwk);
    },
    /** Cheap check that every instance runs on a timer to notice a rotation. */
    async keySetVersion(): Promise<string> {
      return versionOf((await publishedKeys().select('kid', 'alg', 'retired_at', 'created_at')).sort(byPreference));
    },
  };
}

export type SigningKeyStore = ReturnType<typeof createSigningKeyStore>;
