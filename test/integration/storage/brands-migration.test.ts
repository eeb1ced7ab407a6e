// The brands migration: the default brand exists, a client belongs to one brand, a brand's removal takes
// its client links and templates with it; running it again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

describe('the brands migration', () => {
  it('makes the default brand, links clients to one brand, and runs twice', async () => {
    const { db } = handle;
    const migration = await import('../../../migrations/20261203120000_brands.ts') as { up(knex: unknown): Promise<void> };
    await db('brands').insert({ id: 'acme', name: 'Acme' });
    await migration.up(db);
    await migration.up(db);
    expect(await db('brands').orderBy('id').pluck('id')).toEqual(['acme', 'default']);
    await db('brand_clients').insert({ client_id: 'shop', brand_id: 'acme' });
    await expect(db('brand_clients').insert({ client_id: 'shop', brand_id: 'default' })).rejects.toThrow();
    await db('brand_templates').insert({ brand_id: 'acme', name: 'brand-header', source: 'x' });
    await db('brands').where({ id: 'acme' }).del();
    expect(await db('brand_clients').pluck('client_id')).toEqual([]);
    expect(await db('brand_templates').pluck('name')).toEqual([]);
  });
});
