// Migrations are forward-only and idempotent: running them (or any one of them) twice changes nothing.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { migrateLatest } from '../../../src/db/migrate.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb({ migrate: false });
});
afterAll(async () => handle?.close());

const TABLES = ['oidc_models', 'clients', 'resources', 'signing_keys', 'accounts', 'account_emails', 'profile_values', 'flows', 'one_time_codes', 'throttles', 'consent_documents', 'consent_document_versions', 'consent_records', 'client_consents', 'dev_outbox', 'webhooks', 'webhook_deliveries', 'admins', 'import_jobs', 'import_rejections', 'account_imports'];

describe('migrations', () => {
  it('create every table, and a second run applies nothing', async () => {
    const first = await migrateLatest(handle.db);
    expect(first.length).toBe(readdirSync(new URL('../../../migrations', import.meta.url)).filter((f) => f.endsWith('.ts')).length);
    for (const table of TABLES) expect(await handle.db.schema.hasTable(table), table).toBe(true);
    expect(await migrateLatest(handle.db)).toEqual([]);
  });

  it('each migration can run again over its own result without error or duplicate seed rows', async () => {
    for (const file of readdirSync(new URL('../../../migrations', import.meta.url)).filter((f) => f.endsWith('.ts')).sort()) {
      const migration = await import(`../../../migrations/${file}`) as { up(knex: unknown): Promise<void> };
      await migration.up(handle.db);
    }
    const versions = await handle.db('consent_document_versions').where({ document_id: 'terms' });
    expect(versions).toHaveLength(1);
  });

  it('report deleted row counts on this engine (knex-pglite returns raw results unless corrected)', async () => {
    await handle.db('resources').insert([{ id: 'https://a.example', scopes: '[]' }, { id: 'https://b.example', scopes: '[]' }]);
    expect(await handle.db('resources').where('id', 'like', 'https://%').delete()).toBe(2);
    expect(await handle.db('resources').where('id', 'none').delete()).toBe(0);
  });

  it('keep accounts, emails and consent consistent: an email belongs to one account', async () => {
    await handle.db('accounts').insert({ id: '00000000-0000-4000-8000-000000000001', status: 'active' });
    await handle.db('account_emails').insert({ email_normalized: 'x@example.com', email: 'x@example.com', account_id: '00000000-0000-4000-8000-000000000001' });
    await expect(handle.db('account_emails').insert({ email_normalized: 'x@example.com', email: 'X@example.com', account_id: '00000000-0000-4000-8000-000000000001' })).rejects.toThrow();
    await expect(handle.db('accounts').insert({ id: '00000000-0000-4000-8000-000000000002', status: 'bogus' })).rejects.toThrow();
  });

  it('give an administrator one row, gone with the account, and every session a realm (account by default)', async () => {
    const id = '00000000-0000-4000-8000-0000000000a1';
    await handle.db('accounts').insert({ id, status: 'active' });
    await handle.db('admins').insert({ account_id: id });
    await expect(handle.db('admins').insert({ account_id: id })).rejects.toThrow();
    await handle.db('portal_sessions').insert({ id: 'ps_realm', token_hash: 'h', account_id: id, auth_time: new Date(), expires_at: new Date(Date.now() + 60_000) });
    expect(await handle.db('portal_sessions').where({ id: 'ps_realm' }).first()).toMatchObject({ realm: 'account' });
    await handle.db('accounts').where({ id }).delete();
    expect(await handle.db('admins').where({ account_id: id })).toEqual([]);
  });

  it('mark a portal session standalone only when asked (a mailed link\'s), never by default', async () => {
    const id = '00000000-0000-4000-8000-0000000000a2';
    await handle.db('accounts').insert({ id, status: 'active' });
    const expires = new Date(Date.now() + 60_000);
    await handle.db('portal_sessions').insert({ id: 'ps_oidc', token_hash: 'h1', account_id: id, auth_time: new Date(), expires_at: expires });
    await handle.db('portal_sessions').insert({ id: 'ps_link', token_hash: 'h2', account_id: id, auth_time: new Date(), expires_at: expires, standalone: true });
    const rows = await handle.db('portal_sessions').where({ account_id: id }).orderBy('id').select('id', 'standalone');
    expect(rows).toEqual([{ id: 'ps_link', standalone: true }, { id: 'ps_oidc', standalone: false }]);
  });

  it('give an imported account one import record with an external id no other account has, gone with the account; a job its rejections', async () => {
    const [a, b] = ['00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000b2'];
    await handle.db('accounts').insert([{ id: a, status: 'active' }, { id: b, status: 'lite' }]);
    await handle.db('account_imports').insert({ account_id: a, external_id: 'legacy-1' });
    await expect(handle.db('account_imports').insert({ account_id: b, external_id: 'legacy-1' })).rejects.toThrow();
    // Any number of imported accounts may have no external id.
    await handle.db('account_imports').insert({ account_id: b, external_id: null });
    await handle.db('accounts').where({ id: a }).delete();
    expect(await handle.db('account_imports').where({ external_id: 'legacy-1' })).toEqual([]);
    await handle.db('import_jobs').insert({ id: 'imp_1', status: 'running', format: 'jsonl', actor: 'cli' });
    await expect(handle.db('import_jobs').insert({ id: 'imp_2', status: 'paused', format: 'jsonl', actor: 'cli' })).rejects.toThrow();
    await handle.db('import_rejections').insert({ job_id: 'imp_1', line: 3, reason: 'email: is not an email address' });
    await handle.db('import_jobs').where({ id: 'imp_1' }).delete();
    expect(await handle.db('import_rejections').where({ job_id: 'imp_1' })).toEqual([]);
  });
});
