// Helpers of the privacy tests: a customer signed up and signed in through a real relying party, and a
// scan of every column of every table for traces of a person (written here, independent of src/privacy).
import { expect } from 'vitest';
import type { Db } from '../../../src/db/create-db.ts';
import { newBrowser, signUp, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, type RelyingParty } from '../../support/relying-party.ts';
import type { TestServer } from '../../support/test-server.ts';

export const PASSWORD = 'a long and unusual passphrase';

export async function signedUpCustomer(server: TestServer, rp: RelyingParty, email: string) {
  const browser = newBrowser();
  const auth = await rp.authorizationUrl();
  const callback = await throughPrompts(browser, await signUp(server, browser, await browser.get(auth.url), email, PASSWORD));
  expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 500)).toBe(true);
  const tokens = await rp.exchange(callback.url, auth);
  return { browser, tokens, accountId: tokens.claims()!.sub };
}

const TEXT_TYPES = ['text', 'character varying', 'character', 'json', 'jsonb'];

/** Every (table, column) of the public schema's base tables whose type is one of `types`. */
export async function columnsOfTypes(db: Db, types: string[]): Promise<{ table: string; column: string }[]> {
  const result = await db.raw<{ rows: { table_name: string; column_name: string }[] }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.data_type IN (${types.map(() => '?').join(', ')})`,
    types,
  );
  return result.rows.map((r) => ({ table: r.table_name, column: r.column_name }));
}

/** "table.column: needle" for every text or jsonb value that contains one of the needles (case-insensitive). */
export async function tracesOf(db: Db, needles: string[], types = TEXT_TYPES): Promise<string[]> {
  const found: string[] = [];
  for (const { table, column } of await columnsOfTypes(db, types)) {
    for (const needle of needles) {
      const rows = await db.raw<{ rows: { n: string | number }[] }>(
        'SELECT count(*) AS n FROM ?? WHERE position(lower(?) in lower(??::text)) > 0', [table, needle, column],
      );
      if (Number(rows.rows[0]!.n) > 0) found.push(`${table}.${column}: ${needle}`);
    }
  }
  return found;
}

/** Tables with an account_id column and how many rows the account has in each. */
export async function rowsPerAccountTable(db: Db, accountId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const result = await db.raw<{ rows: { table_name: string }[] }>(
    `SELECT c.table_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.column_name = 'account_id'`,
  );
  for (const { table_name: table } of result.rows) {
    const n = await db.raw<{ rows: { n: string | number }[] }>('SELECT count(*) AS n FROM ?? WHERE account_id::text = ?', [table, accountId]);
    if (Number(n.rows[0]!.n) > 0) counts.set(table, Number(n.rows[0]!.n));
  }
  return counts;
}
