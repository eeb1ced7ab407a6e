// Owns the resources table: APIs (resource servers) for which Foyer issues ES256 JWT access tokens.
import type { Db } from '../db/create-db.ts';
import { createReadCache } from '../cache/read-cache.ts';

export interface ResourceView {
  id: string;
  scopes: string[];
  created_at: string;
}

interface ResourceRow {
  id: string;
  scopes: string[];
  created_at: Date;
}

const toView = (row: ResourceRow): ResourceView => ({ id: row.id, scopes: row.scopes, created_at: new Date(row.created_at).toISOString() });

export function createResourceStore(db: Db) {
  // Read on every token request for an API.
  const cache = createReadCache<ResourceView>(5000);
  return {
    async findResource(id: string): Promise<ResourceView | undefined> {
      return cache.get(id, async () => {
        const row = (await db.raw<{ rows: ResourceRow[] }>('SELECT * FROM resources WHERE id = ?', [id])).rows[0];
        return row && toView(row);
      });
    },
    async addResource(id: string, scopes: string[]): Promise<ResourceView> {
      cache.forget(id);
      const rows = await db('resources').insert({ id, scopes: JSON.stringify(scopes) })
        .onConflict('id').merge({ scopes: JSON.stringify(scopes), updated_at: db.fn.now() }).returning('*') as ResourceRow[];
      return toView(rows[0]!);
    },
    async listResources(): Promise<ResourceView[]> {
      return ((await db('resources').orderBy('created_at')) as ResourceRow[]).map(toView);
    },
    async removeResource(id: string): Promise<boolean> {
      cache.forget(id);
      return (await db('resources').where({ id }).delete()) > 0;
    },
  };
}

export type ResourceStore = ReturnType<typeof createResourceStore>;
