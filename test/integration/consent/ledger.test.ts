// The consent registry migration and the ledger: tables and columns exist, the migration runs twice over
// its own rows, the ledger refuses updates, deletes and truncation (a trigger, on both engines) except
// erasure's blanking; purpose choices and objections are ledger records that decide processing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../src/compose.ts';
import { configSchema, type Config } from '../../../src/config/schema.ts';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createLogger } from '../../../src/log.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
let services: Services;
const ACCOUNT = '00000000-0000-4000-8000-0000000000c1';
const context = { channel: 'account', ip: '203.0.113.9' };

beforeAll(async () => {
  handle = await createTestDb();
  const config = { ...configSchema.parse({ logLevel: 'silent' }), issuer: 'http://localhost:3000', secret: 'x'.repeat(32) } as Config;
  services = createServices(config, handle.db, createLogger('silent'));
  await services.consentRegistry.seed();
  await handle.db('accounts').insert({ id: ACCOUNT, status: 'active' });
});
afterAll(async () => handle?.close());

describe('the consent registry migration', () => {
  it('creates its tables and columns, and runs twice over its own rows', async () => {
    const { db } = handle;
    const columns: Record<string, string[]> = {
      consent_purposes: ['id', 'legal_basis', 'texts', 'data_categories', 'third_party_disclosure', 'created_at', 'updated_at'],
      communication_topics: ['id', 'texts', 'channels', 'created_at', 'updated_at'],
      communication_preferences: ['account_id', 'topic', 'channel', 'status', 'source', 'changed_at', 'created_at', 'updated_at'],
      preference_confirmations: ['token_hash', 'account_id', 'topic', 'channel', 'expires_at', 'consumed_at', 'created_at'],
      consent_receipt_keys: ['kid', 'alg', 'private_jwk_encrypted', 'public_jwk', 'retired_at', 'created_at'],
      consent_records: ['erased_at'],
    };
    for (const [table, names] of Object.entries(columns)) for (const column of names) expect(await db.schema.hasColumn(table, column), `${table}.${column}`).toBe(true);
    await services.consent.acceptDocuments(ACCOUNT, [{ documentId: 'terms', version: '1', title: 'Terms', url: null }], context);
    const migration = await import('../../../migrations/20261201400000_consent_registry.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    expect(await db('consent_records').where({ account_id: ACCOUNT })).toHaveLength(1);
    expect((await db('consent_purposes').select('id')).map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(['account', 'analytics', 'marketing']));
    // The widened check still refuses an unknown kind.
    await expect(db('consent_records').insert({ id: 'rcpt_x', account_id: ACCOUNT, subject_kind: 'nonsense', subject_ref: 'x', action: 'grant', legal_basis: 'consent', channel: 'test' })).rejects.toThrow();
  });

  it('seeding again inserts nothing and never overwrites what the database holds', async () => {
    await handle.db('consent_purposes').where({ id: 'marketing' }).update({ texts: JSON.stringify({ en: { name: 'Edited by an admin', description: 'd' } }) });
    expect(await services.consentRegistry.seed()).toEqual({ purposes: 0, documents: 0, versions: 0, topics: 0 });
    expect((await services.consentRegistry.findPurpose('analytics'))?.legalBasis).toBe('legitimate_interest');
    expect(services.consentRegistry.text((await services.consentRegistry.listPurposes()).find((p) => p.id === 'marketing')!.texts).name).toBe('Edited by an admin');
  });
});

describe('the ledger', () => {
  it('refuses updates, deletes and truncation', async () => {
    const { db } = handle;
    const [record] = await services.consent.history(ACCOUNT);
    await expect(db('consent_records').where({ id: record!.id }).update({ action: 'withdraw' })).rejects.toThrow(/append-only/);
    await expect(db('consent_records').where({ id: record!.id }).update({ legal_basis: 'consent' })).rejects.toThrow(/append-only/);
    await expect(db('consent_records').where({ id: record!.id }).update({ created_at: new Date(0) })).rejects.toThrow(/append-only/);
    // Changing details while the address stays is no erasure.
    await expect(db('consent_records').where({ id: record!.id }).update({ details: JSON.stringify({ forged: true }) })).rejects.toThrow(/append-only/);
    await expect(db('consent_records').where({ id: record!.id }).delete()).rejects.toThrow(/append-only/);
    await expect(db.raw('TRUNCATE consent_records')).rejects.toThrow(/append-only/);
    expect(await db('consent_records').where({ id: record!.id }).first()).toMatchObject({ action: 'grant', ip: '203.0.113.9' });
  });

  it('lets erasure blank the address and keeps the fact', async () => {
    expect(await services.consent.eraseRecordsOf(ACCOUNT)).toBe(1);
    const [record] = await services.consent.history(ACCOUNT);
    expect(record).toMatchObject({ ip: null, subjectRef: 'terms@1', action: 'grant' });
    expect(record!.erasedAt).toBeInstanceOf(Date);
    await expect(handle.db('consent_records').where({ id: record!.id }).update({ subject_ref: 'terms@9' })).rejects.toThrow(/append-only/);
  });

  it('lets a purge put a tombstone in place of the account, as the privacy module does', async () => {
    const [record] = await services.consent.history(ACCOUNT);
    const tombstone = '00000000-0000-4000-8000-00000000dead';
    await handle.db('consent_records').where({ id: record!.id }).update({ account_id: tombstone, ip: null, details: JSON.stringify({ subject_erased: true }) });
    expect(await handle.db('consent_records').where({ id: record!.id }).first()).toMatchObject({ account_id: tombstone, subject_ref: 'terms@1', action: 'grant' });
    await handle.db('consent_records').where({ id: record!.id }).update({ account_id: ACCOUNT, ip: null });
  });
});

describe('purposes: consent, withdrawal, objection', () => {
  it('decides processing from the legal basis and the account\'s choices, each a ledger record and an event', async () => {
    const { purposes } = services;
    expect(await purposes.isProcessingAllowed(ACCOUNT, 'marketing')).toEqual({ allowed: false, reason: 'no_consent' });
    expect(await purposes.isProcessingAllowed(ACCOUNT, 'analytics')).toEqual({ allowed: true, reason: 'legal_basis' });
    expect(await purposes.isProcessingAllowed(ACCOUNT, 'account')).toEqual({ allowed: true, reason: 'legal_basis' });
    expect(await purposes.isProcessingAllowed(ACCOUNT, 'no-such-purpose')).toEqual({ allowed: false, reason: 'unknown_purpose' });

    await purposes.choose(ACCOUNT, 'marketing', 'grant', context);
    expect((await purposes.isProcessingAllowed(ACCOUNT, 'marketing')).allowed).toBe(true);
    await purposes.choose(ACCOUNT, 'marketing', 'withdraw', context);
    expect(await purposes.isProcessingAllowed(ACCOUNT, 'marketing')).toEqual({ allowed: false, reason: 'consent_withdrawn' });

    await purposes.choose(ACCOUNT, 'analytics', 'object', context);
    expect(await purposes.isProcessingAllowed(ACCOUNT, 'analytics')).toEqual({ allowed: false, reason: 'objected' });
    await purposes.choose(ACCOUNT, 'analytics', 'withdraw_objection', context);
    expect((await purposes.isProcessingAllowed(ACCOUNT, 'analytics')).allowed).toBe(true);

    const ledger = (await services.consent.history(ACCOUNT)).filter((r) => r.subjectKind === 'purpose').reverse();
    expect(ledger.map((r) => [r.subjectRef, r.action, r.legalBasis])).toEqual([
      ['marketing', 'grant', 'consent'], ['marketing', 'withdraw', 'consent'],
      ['analytics', 'withdraw', 'legitimate_interest'], ['analytics', 'grant', 'legitimate_interest'],
    ]);
    const events = (await services.events.listEventsOfAccount(ACCOUNT)).map((e) => e.type).reverse();
    expect(events).toEqual(expect.arrayContaining(['consent.granted', 'consent.withdrawn', 'consent.objected', 'consent.objection_withdrawn']));
    const states = await purposes.purposeStates(ACCOUNT);
    expect(states.find((s) => s.purpose.id === 'marketing')).toMatchObject({ decision: { allowed: false } });
  });

  it('refuses a choice the legal basis does not allow, with a clear message', async () => {
    await expect(services.purposes.choose(ACCOUNT, 'account', 'object', context)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('cannot object') });
    await expect(services.purposes.choose(ACCOUNT, 'analytics', 'grant', context)).rejects.toMatchObject({ status: 400, code: 'consent.not_consent_based' });
    await expect(services.purposes.choose(ACCOUNT, 'nope', 'grant', context)).rejects.toMatchObject({ status: 404 });
  });
});
