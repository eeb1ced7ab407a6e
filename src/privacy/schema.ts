// Owns discovering, from the live schema, where an account's data can be: every table with an account_id
// column (or a foreign key to accounts), and every text/jsonb column. Export and erasure are generic over it.
import type { Db } from '../db/create-db.ts';

export interface AccountColumn {
  table: string;
  column: string;
  dataType: string;
}

export interface SchemaColumn {
  table: string;
  column: string;
  dataType: string;
  nullable: boolean;
}

/** Data types that can hold a person's email, name or phone (what the leak scan reads). */
export const TEXT_TYPES = new Set(['text', 'character varying', 'character', 'json', 'jsonb']);

export function createSchemaQueries(db: Db) {
  return {
    /** Every column of every base table of the current schema (same SQL on PostgreSQL and PGlite). */
    async listColumns(trx: Db = db): Promise<SchemaColumn[]> {
      const result = await trx.raw<{ rows: { table_name: string; column_name: string; data_type: string; is_nullable: string }[] }>(
        `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable
           FROM information_schema.columns c
           JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
          ORDER BY c.table_name, c.ordinal_position`,
      );
      return result.rows.map((r) => ({ table: r.table_name, column: r.column_name, dataType: r.data_type, nullable: r.is_nullable === 'YES' }));
    },
    /** Foreign keys as (child table, child column, parent table): deletes go children first. */
    async listForeignKeys(trx: Db = db): Promise<{ table: string; column: string; parent: string }[]> {
      const result = await trx.raw<{ rows: { child: string; column_name: string; parent: string }[] }>(
        `SELECT cc.relname AS child, a.attname AS column_name, pc.relname AS parent
           FROM pg_constraint k
           JOIN pg_class cc ON cc.oid = k.conrelid
           JOIN pg_class pc ON pc.oid = k.confrelid
           JOIN pg_namespace n ON n.oid = cc.relnamespace
           JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
          WHERE k.contype = 'f' AND n.nspname = current_schema()`,
      );
      return result.rows.map((r) => ({ table: r.child, column: r.column_name, parent: r.parent }));
    },
  };
}

export type SchemaQueries = ReturnType<typeof createSchemaQueries>;

/**
 * Where an account's rows are: a column named account_id, or any column with a foreign key to accounts.
 * Ordered so that a table referencing another account table comes first (safe delete order).
 */
export async function findAccountColumns(schema: SchemaQueries, trx?: Db): Promise<AccountColumn[]> {
  const [columns, keys] = await Promise.all([schema.listColumns(trx), schema.listForeignKeys(trx)]);
  const toAccounts = new Set(keys.filter((k) => k.parent === 'accounts').map((k) => `${k.table}.${k.column}`));
  const found = columns.filter((c) => c.table !== 'accounts' && (c.column === 'account_id' || toAccounts.has(`${c.table}.${c.column}`)));
  const tables = new Set(found.map((c) => c.table));
  // Depth of each table in the reference graph among account tables: children (referencing others) first.
  const parentsOf = new Map<string, Set<string>>();
  for (const k of keys) if (tables.has(k.table) && tables.has(k.parent) && k.table !== k.parent) {
    parentsOf.set(k.table, (parentsOf.get(k.table) ?? new Set()).add(k.parent));
  }
  const depth = (table: string, seen = new Set<string>()): number => {
    if (seen.has(table)) return 0;
    seen.add(table);
    return Math.max(0, ...[...(parentsOf.get(table) ?? [])].map((p) => 1 + depth(p, seen)));
  };
  return found.map((c) => ({ table: c.table, column: c.column, dataType: c.dataType }))
    .sort((a, b) => depth(b.table) - depth(a.table) || a.table.localeCompare(b.table));
}
