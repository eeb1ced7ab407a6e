// Owns the brand tables: brands (settings and logo), which brand each client belongs to, and template overrides.
import type { Db } from '../db/create-db.ts';

export interface BrandRow {
  id: string;
  name: string;
  settings: Record<string, unknown>;
  logoType: string | null;
  logoHash: string | null;
  updatedAt: Date;
}

const COLUMNS = ['id', 'name', 'settings', 'logo_type', 'logo_hash', 'updated_at'] as const;

interface RawRow { id: string; name: string; settings: unknown; logo_type: string | null; logo_hash: string | null; updated_at: Date }

const parseSettings = (value: unknown): Record<string, unknown> => (typeof value === 'string' ? JSON.parse(value) as Record<string, unknown> : (value ?? {}) as Record<string, unknown>);
const toRow = (r: RawRow): BrandRow => ({ id: r.id, name: r.name, settings: parseSettings(r.settings), logoType: r.logo_type, logoHash: r.logo_hash, updatedAt: new Date(r.updated_at) });

export function createBrandQueries(db: Db) {
  return {
    async listBrands(): Promise<BrandRow[]> {
      return ((await db('brands').select(COLUMNS).orderBy('id')) as RawRow[]).map(toRow);
    },
    async findBrand(id: string): Promise<BrandRow | undefined> {
      const row = (await db('brands').where({ id }).first(COLUMNS)) as RawRow | undefined;
      return row ? toRow(row) : undefined;
    },
    /** Inserts or updates; true when the brand is new. */
    async upsertBrand(id: string, name: string, settings: Record<string, unknown>): Promise<boolean> {
      const rows = await db('brands').insert({ id, name, settings: JSON.stringify(settings) })
        .onConflict('id').merge({ name, settings: JSON.stringify(settings), updated_at: db.fn.now() }).returning(db.raw('(xmax = 0) AS inserted'));
      return Boolean((rows[0] as { inserted?: boolean } | undefined)?.inserted);
    },
    async removeBrand(id: string): Promise<boolean> {
      return (await db('brands').where({ id }).del()) > 0;
    },
    async setLogo(id: string, logo: { bytes: Buffer; type: string; hash: string } | null): Promise<boolean> {
      return (await db('brands').where({ id }).update({ logo: logo?.bytes ?? null, logo_type: logo?.type ?? null, logo_hash: logo?.hash ?? null, updated_at: db.fn.now() })) > 0;
    },
    async findLogo(id: string): Promise<{ bytes: Buffer; type: string; hash: string } | undefined> {
      const row = (await db('brands').where({ id }).whereNotNull('logo').first('logo', 'logo_type', 'logo_hash')) as { logo: Uint8Array; logo_type: string; logo_hash: string } | undefined;
      return row ? { bytes: Buffer.from(row.logo), type: row.logo_type, hash: row.logo_hash } : undefined;
    },
    async listClientBrands(): Promise<{ clientId: string; brandId: string }[]> {
      return ((await db('brand_clients').select('client_id', 'brand_id')) as { client_id: string; brand_id: string }[]).map((r) => ({ clientId: r.client_id, brandId: r.brand_id }));
    },
    async setClientBrand(clientId: string, brandId: string): Promise<void> {
      await db('brand_clients').insert({ client_id: clientId, brand_id: brandId }).onConflict('client_id').merge({ brand_id: brandId });
    },
    async clearClientBrand(clientId: string): Promise<void> {
      await db('brand_clients').where({ client_id: clientId }).del();
    },
    async listTemplates(): Promise<{ brandId: string; name: string; source: string }[]> {
      return ((await db('brand_templates').select('brand_id', 'name', 'source').orderBy(['brand_id', 'name'])) as { brand_id: string; name: string; source: string }[])
        .map((r) => ({ brandId: r.brand_id, name: r.name, source: r.source }));
    },
    async saveTemplate(brandId: string, name: string, source: string): Promise<void> {
      await db('brand_templates').insert({ brand_id: brandId, name, source }).onConflict(['brand_id', 'name']).merge({ source, updated_at: db.fn.now() });
      await db('brands').where({ id: brandId }).update({ updated_at: db.fn.now() });
    },
    async removeTemplate(brandId: string, name: string): Promise<boolean> {
      return (await db('brand_templates').where({ brand_id: brandId, name }).del()) > 0;
    },
  };
}

export type BrandQueries = ReturnType<typeof createBrandQueries>;
