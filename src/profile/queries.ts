// Owns the profile tables: profile_fields (the schema), profile_values (values with provenance: source and
// updated_at), profile_visits and profile_skips. Every function takes a knex (root or transaction).
import { profileFieldSchema, type ProfileFieldDefinition } from '../config/profile-fields.ts';
import type { Db } from '../db/create-db.ts';

export interface StoredValue {
  field: string;
  value: unknown;
  /** Who set it: customer, social:<connector>, admin, api, import. */
  source: string;
  /** The client of the app that last gave it (null: not through an app). */
  clientId: string | null;
  /** The client of the app it was first given through (null: first given on the account pages, by an admin, an import). */
  firstClientId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface VisitRecord {
  visits: number;
  lastVisitAt: Date | null;
  /** The visit the asked fields belong to, and the optional fields asked in it. */
  askedVisit: number | null;
  askedFields: string[];
}

interface ValueRow { field: string; value: unknown; source: string; client_id: string | null; first_client_id: string | null; created_at: Date; updated_at: Date }

export function createProfileQueries(db: Db) {
  return {
    /** How many accounts hold a value per field (profile completeness). */
    async countAccountsPerField(trx: Db = db): Promise<Map<string, number>> {
      const rows = await trx('profile_values').select('field').countDistinct<{ field: string; n: string | number }[]>({ n: 'account_id' }).groupBy('field');
      return new Map(rows.map((r) => [r.field, Number(r.n)]));
    },
    /** Every field definition, in order; a row that no longer parses is left out rather than breaking sign-in. */
    async listFieldDefinitions(trx: Db = db): Promise<ProfileFieldDefinition[]> {
      const rows = await trx('profile_fields').orderBy([{ column: 'position' }, { column: 'key' }]).select('definition') as { definition: unknown }[];
      return rows.flatMap((row) => {
        const parsed = profileFieldSchema.safeParse(row.definition);
        return parsed.success ? [parsed.data] : [];
      });
    },
    async fieldsVersion(trx: Db = db): Promise<string> {
      const row = (await trx.raw<{ rows: { n: string | number; latest: Date | null }[] }>('SELECT count(*) AS n, max(updated_at) AS latest FROM profile_fields')).rows[0];
      return `${row?.n ?? 0}:${row?.latest ? new Date(row.latest).getTime() : 0}`;
    },
    /** Seeds definitions absent from the database; present ones are the admin's and stay as they are. */
    async insertMissingFields(definitions: ProfileFieldDefinition[], trx: Db = db): Promise<string[]> {
      const inserted: string[] = [];
      for (const [position, definition] of definitions.entries()) {
        const rows = await trx('profile_fields').insert({ key: definition.key, definition: JSON.stringify(definition), position })
          .onConflict('key').ignore().returning('key') as { key: string }[];
        inserted.push(...rows.map((r) => r.key));
      }
      return inserted;
    },
    async upsertFieldDefinition(definition: ProfileFieldDefinition, position: number, trx: Db = db): Promise<void> {
      await trx('profile_fields').insert({ key: definition.key, definition: JSON.stringify(definition), position })
        .onConflict('key').merge({ definition: JSON.stringify(definition), position, updated_at: trx.fn.now() });
    },

    /** One definition and its place in the order; undefined when absent (or no longer parsing). */
    async findFieldDefinition(key: string, trx: Db = db): Promise<{ definition: ProfileFieldDefinition; position: number } | undefined> {
      const row = await trx('profile_fields').where({ key }).first('definition', 'position') as { definition: unknown; position: number } | undefined;
      const parsed = row && profileFieldSchema.safeParse(row.definition);
      return parsed?.success ? { definition: parsed.data, position: Number(row!.position) } : undefined;
    },
    async nextFieldPosition(trx: Db = db): Promise<number> {
      const row = await trx('profile_fields').max({ latest: 'position' }).first() as { latest: number | null } | undefined;
      return row?.latest === null || row?.latest === undefined ? 0 : Number(row.latest) + 1;
    },
    /** Puts the fields in this order (positions 0…n-1); touching updated_at tells every instance the schema changed. */
    async setFieldPositions(keys: string[], trx: Db = db): Promise<void> {
      for (const [position, key] of keys.entries()) await trx('profile_fields').where({ key }).update({ position, updated_at: trx.fn.now() });
    },
    /** Removes a definition and the "Not now" notes about it; values are the caller's to have checked. */
    async deleteFieldDefinition(key: string, trx: Db = db): Promise<boolean> {
      await trx('profile_skips').where({ field: key }).delete();
      return (await trx('profile_fields').where({ key }).delete()) > 0;
    },
    /** How many accounts hold a value of each field. */
    async countValuesByField(trx: Db = db): Promise<Map<string, number>> {
      const rows = await trx('profile_values').groupBy('field').select('field').count({ n: '*' }) as { field: string; n: string | number }[];
      return new Map(rows.map((r) => [r.field, Number(r.n)]));
    },

    async listValues(accountId: string, trx: Db = db): Promise<StoredValue[]> {
      const rows = await trx('profile_values').where({ account_id: accountId }).select('field', 'value', 'source', 'client_id', 'first_client_id', 'created_at', 'updated_at') as ValueRow[];
      return rows.map((r) => ({ field: r.field, value: r.value, source: r.source, clientId: r.client_id, firstClientId: r.first_client_id, createdAt: new Date(r.created_at), updatedAt: new Date(r.updated_at) }));
    },
    /** One value of an account (undefined when it has none). */
    async findValue(accountId: string, field: string, trx: Db = db): Promise<unknown> {
      const row = await trx('profile_values').where({ account_id: accountId, field }).first('value') as { value: unknown } | undefined;
      return row?.value;
    },
    /** Sets a value; the app it was first given through stays as it was (a later edit elsewhere does not move it). */
    async upsertValue(accountId: string, field: string, value: unknown, source: string, clientId: string | null, trx: Db = db): Promise<void> {
      const json = JSON.stringify(value);
      await trx('profile_values').insert({ account_id: accountId, field, value: json, source, client_id: clientId, first_client_id: clientId })
        .onConflict(['account_id', 'field']).merge({ value: json, source, client_id: clientId, updated_at: trx.fn.now() });
    },
    /** Sets the value only where the account has none (an anonymous form never overwrites what is there). */
    async insertValueIfAbsent(accountId: string, field: string, value: unknown, source: string, clientId: string | null, trx: Db = db): Promise<boolean> {
      const rows = await trx('profile_values').insert({ account_id: accountId, field, value: JSON.stringify(value), source, client_id: clientId, first_client_id: clientId })
        .onConflict(['account_id', 'field']).ignore().returning('field') as unknown[];
      return rows.length > 0;
    },
    /** Values (with who set them) of these accounts' `fields`: what an import compares its rows with. */
    async findValuesOfAccounts(accountIds: string[], fields: string[], trx: Db = db): Promise<{ accountId: string; field: string; value: unknown; source: string }[]> {
      if (!accountIds.length || !fields.length) return [];
      const rows = await trx('profile_values').whereIn('account_id', accountIds).whereIn('field', fields).select('account_id', 'field', 'value', 'source') as { account_id: string; field: string; value: unknown; source: string }[];
      return rows.map((r) => ({ accountId: r.account_id, field: r.field, value: r.value, source: r.source }));
    },
    /** Every value of these accounts (the customer export). */
    async listValuesOfAccounts(accountIds: string[], trx: Db = db): Promise<{ accountId: string; field: string; value: unknown }[]> {
      if (!accountIds.length) return [];
      const rows = await trx('profile_values').whereIn('account_id', accountIds).orderBy(['account_id', 'field']).select('account_id', 'field', 'value') as { account_id: string; field: string; value: unknown }[];
      return rows.map((r) => ({ accountId: r.account_id, field: r.field, value: r.value }));
    },
    /** Imported values (provenance `import`): set where absent, replaced only where an import set them before. */
    async writeImportedValues(values: { accountId: string; field: string; value: unknown }[], trx: Db = db): Promise<void> {
      if (!values.length) return;
      await trx('profile_values').insert(values.map((v) => ({ account_id: v.accountId, field: v.field, value: JSON.stringify(v.value), source: 'import', client_id: null })))
        .onConflict(['account_id', 'field']).merge({ value: trx.raw('excluded.value'), updated_at: trx.fn.now() }).where('profile_values.source', 'import');
    },
    async deleteValue(accountId: string, field: string, trx: Db = db): Promise<boolean> {
      return (await trx('profile_values').where({ account_id: accountId, field }).delete()) > 0;
    },

    async findVisits(accountId: string, trx: Db = db): Promise<VisitRecord | undefined> {
      const row = await trx('profile_visits').where({ account_id: accountId }).first() as { visits: number; last_visit_at: Date | null; asked_visit: number | null; asked_fields: string[] } | undefined;
      return row && {
        visits: Number(row.visits), lastVisitAt: row.last_visit_at ? new Date(row.last_visit_at) : null,
        askedVisit: row.asked_visit === null ? null : Number(row.asked_visit), askedFields: row.asked_fields ?? [],
      };
    },
    /** Notes the optional fields a visit asked (added to those it asked before), so it never asks more than K. */
    async noteAskedFields(accountId: string, visit: number, fields: string[], trx: Db = db): Promise<void> {
      const json = JSON.stringify(fields);
      await trx.raw(
        `INSERT INTO profile_visits (account_id, visits, asked_visit, asked_fields) VALUES (?, 0, ?, ?::jsonb)
         ON CONFLICT (account_id) DO UPDATE SET
           asked_fields = CASE WHEN profile_visits.asked_visit = excluded.asked_visit
                               THEN (SELECT coalesce(jsonb_agg(DISTINCT f), '[]'::jsonb) FROM jsonb_array_elements_text(profile_visits.asked_fields || excluded.asked_fields) AS f)
                               ELSE excluded.asked_fields END,
           asked_visit = excluded.asked_visit,
           updated_at = now()`,
        [accountId, visit, json],
      );
    },
    /** Counts a visit unless the last one is closer than the gap, in one atomic statement; returns the count after. */
    async countVisit(accountId: string, gapHours: number, trx: Db = db): Promise<number> {
      const result = await trx.raw<{ rows: { visits: number }[] }>(
        `INSERT INTO profile_visits (account_id, visits, last_visit_at) VALUES (?, 1, now())
         ON CONFLICT (account_id) DO UPDATE SET
           visits = CASE WHEN profile_visits.last_visit_at IS NULL OR profile_visits.last_visit_at <= now() - make_interval(hours => ?)
                         THEN profile_visits.visits + 1 ELSE profile_visits.visits END,
           last_visit_at = CASE WHEN profile_visits.last_visit_at IS NULL OR profile_visits.last_visit_at <= now() - make_interval(hours => ?)
                         THEN now() ELSE profile_visits.last_visit_at END,
           updated_at = now()
         RETURNING visits`,
        [accountId, gapHours, gapHours],
      );
      return Number(result.rows[0]!.visits);
    },

    async listSkips(accountId: string, trx: Db = db): Promise<Map<string, Date>> {
      const rows = await trx('profile_skips').where({ account_id: accountId }).select('field', 'skipped_at') as { field: string; skipped_at: Date }[];
      return new Map(rows.map((r) => [r.field, new Date(r.skipped_at)]));
    },
    async recordSkips(accountId: string, fields: string[], clientId: string | null, trx: Db = db): Promise<void> {
      for (const field of fields) {
        await trx('profile_skips').insert({ account_id: accountId, field, client_id: clientId })
          .onConflict(['account_id', 'field']).merge({ skipped_at: trx.fn.now(), client_id: clientId, updated_at: trx.fn.now() });
      }
    },
    async clearSkip(accountId: string, field: string, trx: Db = db): Promise<void> {
      await trx('profile_skips').where({ account_id: accountId, field }).delete();
    },
  };
}

export type ProfileQueries = ReturnType<typeof createProfileQueries>;
