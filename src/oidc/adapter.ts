// Owns oidc-provider's storage: every model in one table keyed by (model, id), clients from the clients
// table. Consume is atomic; a rotated-out refresh token stays usable for a short grace (tabs refreshing at once).
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Db } from '../db/create-db.ts';
import type { ClientStore } from './clients.ts';

interface ModelRow {
  payload: AdapterPayload;
  consumed_at: Date | null;
}

export interface AdapterOptions {
  refreshReuseGraceSeconds: number;
}

const hasNul = (payload: unknown) => JSON.stringify(payload).includes('\\u0000');

export function createAdapterClass(db: Db, clients: ClientStore, options: AdapterOptions) {
  return class KnexAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Client') throw new errors.InvalidRequest('clients are managed with the foyer command or the admin API');
      // PostgreSQL text and jsonb cannot hold NUL; refuse rather than fail deep inside the driver.
      if (hasNul(payload)) throw new errors.InvalidRequest('parameters must not contain NUL characters');
      const row = {
        model: this.model,
        id,
        payload: JSON.stringify(payload),
        grant_id: payload.grantId ?? null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        account_id: payload.accountId ?? null,
        expires_at: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await db('oidc_models').insert(row).onConflict(['model', 'id']).merge(['payload', 'grant_id', 'uid', 'user_code', 'account_id', 'expires_at']);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients.findClientMetadata(id);
      return this.findBy('id', id);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.findBy('uid', uid);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.findBy('user_code', userCode);
    }

    private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      const row: ModelRow | undefined = await db('oidc_models')
        .select('payload', 'consumed_at')
        .where({ model: this.model, [column]: value })
        .andWhere((q) => q.whereNull('expires_at').orWhere('expires_at', '>', db.fn.now()))
        .first();
      if (!row) return undefined;
      const payload = row.payload;
      if (row.consumed_at) {
        const consumedAt = new Date(row.consumed_at).getTime();
        const inGrace = this.model === 'RefreshToken' && Date.now() - consumedAt < options.refreshReuseGraceSeconds * 1000;
        if (!inGrace) payload.consumed = Math.floor(consumedAt / 1000);
      }
      return payload;
    }

    async consume(id: string): Promise<void> {
      const updated = await db('oidc_models')
        .where({ model: this.model, id })
        .whereNull('consumed_at')
        .update({ consumed_at: db.fn.now() });
      // A refresh token re-consumed inside its grace keeps its first consumption time; anything else
      // consumed twice lost a race with a concurrent request and must not be used.
      if (updated === 0 && this.model !== 'RefreshToken') throw new errors.InvalidGrant(`${this.model} already used`);
    }

    async destroy(id: string): Promise<void> {
      await db('oidc_models').where({ model: this.model, id }).delete();
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db('oidc_models').where({ grant_id: grantId }).delete();
    }
  };
}

export function createOidcModelQueries(db: Db) {
  return {
    /** Deletes up to `limit` expired rows; returns how many went. */
    async sweepExpiredModels(limit: number): Promise<number> {
      return db('oidc_models')
        .whereIn(['model', 'id'], db('oidc_models').select('model', 'id').where('expires_at', '<', db.fn.now()).limit(limit))
        .delete();
    },
    async findGrantIds(accountId: string, clientId?: string): Promise<string[]> {
      const q = db('oidc_models').where({ model: 'Grant', account_id: accountId });
      if (clientId) q.andWhereRaw("payload->>'clientId' = ?", [clientId]);
      return (await q.select('id')).map((r: { id: string }) => r.id);
    },
    async deleteSessionsOfAccount(accountId: string, exceptSessionUid?: string): Promise<number> {
      const q = db('oidc_models').where({ model: 'Session', account_id: accountId });
      if (exceptSessionUid) q.andWhere((w) => w.whereNull('uid').orWhereNot('uid', exceptSessionUid));
      return q.delete();
    },
    async deleteByGrantIds(grantIds: string[]): Promise<void> {
      if (grantIds.length === 0) return;
      await db('oidc_models').whereIn('grant_id', grantIds).delete();
      await db('oidc_models').where('model', 'Grant').whereIn('id', grantIds).delete();
    },
  };
}
