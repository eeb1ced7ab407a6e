// Owns the brand_shares table: per account, its home brand (where it began) and, per other brand, the
// profile fields the customer shared with that brand (the ledger keeps the history and the receipts).
import type { Db } from '../db/create-db.ts';

export interface BrandShare {
  brandId: string;
  home: boolean;
  fields: string[];
  receiptId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface ShareRow { brand_id: string; home: boolean; fields: unknown; receipt_id: string | null; created_at: Date; updated_at: Date }

const parseFields = (value: unknown): string[] => {
  const list: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(list) ? list.filter((f): f is string => typeof f === 'string') : [];
};
const toShare = (r: ShareRow): BrandShare => ({
  brandId: r.brand_id, home: r.home, fields: parseFields(r.fields), receiptId: r.receipt_id, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at),
});
const COLUMNS = ['brand_id', 'home', 'fields', 'receipt_id', 'created_at', 'updated_at'];

export function createBrandShareQueries(db: Db) {
  return {
    async listShares(accountId: string, trx: Db = db): Promise<BrandShare[]> {
      return ((await trx('brand_shares').where({ account_id: accountId }).orderBy('created_at').select(COLUMNS)) as ShareRow[]).map(toShare);
    },
    /** Records the account's home brand unless it has one (a parallel first visit elsewhere may win). */
    async insertHomeIfNone(accountId: string, brandId: string, trx: Db = db): Promise<void> {
      await trx.raw('INSERT INTO brand_shares (account_id, brand_id, home) VALUES (?, ?, true) ON CONFLICT DO NOTHING', [accountId, brandId]);
    },
    /** The customer's answer for a brand; false when the brand has one already (the first answer stands). */
    async insertShareIfAbsent(accountId: string, brandId: string, fields: string[], trx: Db = db): Promise<boolean> {
      const rows = await trx('brand_shares').insert({ account_id: accountId, brand_id: brandId, fields: JSON.stringify(fields) })
        .onConflict(['account_id', 'brand_id']).ignore().returning('brand_id');
      return rows.length > 0;
    },
    async findShareForUpdate(accountId: string, brandId: string, trx: Db): Promise<BrandShare | undefined> {
      const row = (await trx('brand_shares').where({ account_id: accountId, brand_id: brandId }).forUpdate().first(COLUMNS)) as ShareRow | undefined;
      return row && toShare(row);
    },
    async updateShare(accountId: string, brandId: string, change: { fields?: string[]; receiptId?: string }, trx: Db = db): Promise<void> {
      await trx('brand_shares').where({ account_id: accountId, brand_id: brandId }).update({
        ...(change.fields ? { fields: JSON.stringify(change.fields) } : {}), ...(change.receiptId ? { receipt_id: change.receiptId } : {}), updated_at: trx.fn.now(),
      });
    },
  };
}

export type BrandShareQueries = ReturnType<typeof createBrandShareQueries>;
