// Owns the federated_import_permissions table (which fields a customer lets a connector copy) and the
// social writes into profile_values (value, source `social:<connector>`, time of import).
import type { Db } from '../../db/create-db.ts';

export interface ProfileValue {
  value: unknown;
  source: string;
  updatedAt: Date;
}

export function createImportQueries(db: Db) {
  return {
    /** The fields the customer allowed this connector to copy; undefined when they were never asked. */
    async findImportPermission(accountId: string, connector: string, trx: Db = db): Promise<string[] | undefined> {
      const row = await trx('federated_import_permissions').where({ account_id: accountId, connector }).first() as { allowed_fields: string[] } | undefined;
      return row?.allowed_fields;
    },
    /** Records the customer's choice once; false when a choice is already on record (a second tab). */
    async insertImportPermission(accountId: string, connector: string, allowedFields: string[], trx: Db = db): Promise<boolean> {
      const rows = await trx('federated_import_permissions')
        .insert({ account_id: accountId, connector, allowed_fields: JSON.stringify(allowedFields) })
        .onConflict(['account_id', 'connector']).ignore().returning('connector') as unknown[];
      return rows.length === 1;
    },
    async deleteImportPermission(accountId: string, connector: string, trx: Db = db): Promise<void> {
      await trx('federated_import_permissions').where({ account_id: accountId, connector }).delete();
    },
    async findProfileValues(accountId: string, trx: Db = db): Promise<Map<string, ProfileValue>> {
      const rows = await trx('profile_values').where({ account_id: accountId }).select('field', 'value', 'source', 'updated_at') as { field: string; value: unknown; source: string; updated_at: Date }[];
      return new Map(rows.map((r) => [r.field, { value: r.value, source: r.source, updatedAt: new Date(r.updated_at) }]));
    },
    async upsertProfileValue(accountId: string, field: string, value: string, source: string, trx: Db = db): Promise<void> {
      await trx('profile_values').insert({ account_id: accountId, field, value: JSON.stringify(value), source })
        .onConflict(['account_id', 'field']).merge({ value: JSON.stringify(value), source, updated_at: trx.fn.now() });
    },
  };
}

export type ImportQueries = ReturnType<typeof createImportQueries>;
