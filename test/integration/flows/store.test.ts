// The flows store against a real database: secrets are found through the keyed-hash column (the secret is never
// stored), a secret is consumed once under a burst, rows that are expired or do not fit their kind are not
// returned, erasure matches addresses exactly, and the lookup uses the (kind, lookup_hash) index.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, DbHandle } from '../../../src/db/create-db.ts';
import { federationFlow } from '../../../src/flows/kinds/federation.ts';
import { liteCaptureFlow } from '../../../src/flows/kinds/lite-capture.ts';
import { loginFlow, registrationFlow } from '../../../src/flows/kinds/sign-in.ts';
import { createFlowStore, type FlowStore } from '../../../src/flows/store.ts';
import { randomToken } from '../../../src/security/tokens.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
let db: Db;
let store: FlowStore;
beforeAll(async () => {
  handle = await createTestDb();
  db = handle.db;
  store = createFlowStore(db, { lookupKey: Buffer.alloc(32, 3) });
});
afterAll(async () => handle?.close());

const capture = (email: string) => ({
  kind: liteCaptureFlow, state: 'sent' as const, interactionUid: null, accountId: null,
  context: { email, purpose: 'newsletter', clientId: 'shop', channel: 'capture-api' as const, source: 'api' as const, ip: '192.0.2.1', capturedAt: new Date().toISOString() },
});

describe('the lookup_hash migration', () => {
  it('adds the column and its unique index, and runs twice', async () => {
    const migration = await import('../../../migrations/20261203060000_flow_lookup_hash.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    expect(await db.schema.hasColumn('flows', 'lookup_hash')).toBe(true);
    const index = await db.raw<{ rows: { indexdef: string }[] }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'flows' AND indexname = 'flows_kind_lookup_hash'");
    expect(index.rows).toHaveLength(1);
    expect(index.rows[0]!.indexdef).toMatch(/UNIQUE INDEX .*\(kind, lookup_hash\)/);
  });
});

describe('flows found by a secret', () => {
  it('stores only a keyed hash of the secret, and finds the flow by it within its kind', async () => {
    const secret = randomToken(32);
    const created = await store.insertFlow({ ...capture('finder@example.com'), secret });
    const row = await db('flows').where({ id: created.id }).first() as Record<string, unknown>;
    expect(row.lookup_hash).toEqual(expect.any(String));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect((await store.findFlowBySecret(liteCaptureFlow, secret))?.id).toBe(created.id);
    expect(await store.findFlowBySecret(liteCaptureFlow, randomToken(32))).toBeUndefined();
    // The same secret names nothing in another kind, nor with another key.
    expect(await store.findFlowBySecret(federationFlow, secret)).toBeUndefined();
    expect(await createFlowStore(db, { lookupKey: Buffer.alloc(32, 4) }).findFlowBySecret(liteCaptureFlow, secret)).toBeUndefined();
  });

  it('binds a flow to a new secret on update (compare-and-set)', async () => {
    const flow = await store.insertFlow({ kind: federationFlow, state: 'link', interactionUid: 'uid-1', accountId: randomUUID(), context: { connector: 'github', subject: 's', email: 'x@example.com' } });
    const token = randomToken(24);
    expect(await store.updateFlow(flow, { state: 'link_second_factor', secret: token, context: { ...flow.context, firstAmr: ['pwd'] } })).toBe(true);
    expect(await store.updateFlow(flow, { state: 'link' })).toBe(false);
    expect(await store.findFlowBySecret(federationFlow, token)).toMatchObject({ id: flow.id, state: 'link_second_factor', context: { firstAmr: ['pwd'] } });
  });

  it('lets exactly one of 50 parallel consumers take a secret', async () => {
    const secret = randomToken(32);
    const created = await store.insertFlow({ ...capture('burst@example.com'), secret });
    await store.insertCode({ flowId: created.id, purpose: 'x', codeHash: 'h', ttlSeconds: 60 });
    const results = await Promise.all(Array.from({ length: 50 }, () => store.consumeFlowBySecret(liteCaptureFlow, secret)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(results.find(Boolean)).toMatchObject({ id: created.id, context: { email: 'burst@example.com' } });
    expect(await db('flows').where({ id: created.id })).toHaveLength(0);
    expect(await db('one_time_codes').where({ flow_id: created.id })).toHaveLength(0);
  });

  it('lets exactly one of 50 parallel steps finish a flow', async () => {
    const flow = await store.insertFlow({ kind: loginFlow, state: 'authenticate', interactionUid: 'uid-finish', accountId: null, context: { email: 'a@example.com' } });
    const results = await Promise.all(Array.from({ length: 50 }, () => store.finishFlow(flow)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('rows that are not live flows of their kind', () => {
  it('does not return an expired flow', async () => {
    const secret = randomToken(32);
    const flow = await store.insertFlow({ ...capture('late@example.com'), secret, ttlSeconds: -60 });
    expect(await store.findFlowBySecret(liteCaptureFlow, secret)).toBeUndefined();
    expect(await store.consumeFlowBySecret(liteCaptureFlow, secret)).toBeUndefined();
    expect(await store.findFlowById(flow.id, liteCaptureFlow)).toBeUndefined();
  });

  it('treats a context that does not fit the schema, or an unknown state, as not found', async () => {
    const secret = randomToken(32);
    const flow = await store.insertFlow({ ...capture('odd@example.com'), secret });
    await db('flows').where({ id: flow.id }).update({ context: JSON.stringify({ email: 42 }) });
    expect(await store.findFlowBySecret(liteCaptureFlow, secret)).toBeUndefined();
    expect(await store.findFlowById(flow.id, liteCaptureFlow)).toBeUndefined();
    expect(await store.consumeFlowBySecret(liteCaptureFlow, secret)).toBeUndefined();

    const login = await store.insertFlow({ kind: loginFlow, state: 'authenticate', interactionUid: 'uid-odd', accountId: null, context: { email: 'a@example.com' } });
    await db('flows').where({ id: login.id }).update({ state: 'from_the_future' });
    expect(await store.findFlowForInteraction('uid-odd', loginFlow)).toBeUndefined();
  });

  it('refuses to write a context that does not fit the kind', async () => {
    await expect(store.insertFlow({ kind: loginFlow, state: 'authenticate', interactionUid: null, accountId: null, context: { email: 7 } as never })).rejects.toThrow();
  });
});

describe('erasure of an account\'s flows', () => {
  it('removes the flows naming the address exactly, or stamped with the account, and leaves joann@x.com\'s', async () => {
    const ann = randomUUID();
    const joann = await store.insertFlow({ kind: registrationFlow, state: 'verify_email', interactionUid: 'uid-joann', accountId: null, context: { email: 'joann@x.com', passwordHash: 'h', mode: 'new' } });
    const joannCapture = await store.insertFlow({ ...capture('JoAnn@x.com'), secret: randomToken(32) });
    const annSignUp = await store.insertFlow({ kind: registrationFlow, state: 'verify_email', interactionUid: 'uid-ann', accountId: null, context: { email: 'Ann@X.com', passwordHash: 'h', mode: 'new' } });
    const annSuggested = await store.insertFlow({ kind: federationFlow, state: 'needs_email', interactionUid: 'uid-ann-2', accountId: null, context: { connector: 'github', subject: 's', suggestedEmail: 'ann@x.com' } });
    const annStamped = await store.insertFlow({ kind: loginFlow, state: 'authenticate', interactionUid: 'uid-ann-3', accountId: ann, context: { email: 'other@example.com' } });
    await store.insertCode({ flowId: annSignUp.id, purpose: 'registration', codeHash: 'h', ttlSeconds: 60 });

    expect(await db.transaction((trx) => store.eraseAccountFlows(ann, ['ann@x.com'], trx))).toBe(3);

    const left = await db('flows').whereIn('id', [joann.id, joannCapture.id, annSignUp.id, annSuggested.id, annStamped.id]).pluck('id');
    expect(left.sort()).toEqual([joann.id, joannCapture.id].sort());
    expect(await db('one_time_codes').where({ flow_id: annSignUp.id })).toHaveLength(0);
  });
});

describe('code attempts', () => {
  it('reserves at most `max` attempts of 200 parallel ones', async () => {
    const flow = await store.insertFlow({ kind: loginFlow, state: 'authenticate', interactionUid: 'uid-codes', accountId: null, context: { email: 'c@example.com' } });
    await store.insertCode({ flowId: flow.id, purpose: 'p', codeHash: 'h', ttlSeconds: 60 });
    const code = await store.findLiveCode(flow.id, 'p');
    const reserved = await Promise.all(Array.from({ length: 200 }, () => store.reserveCodeAttempt(code!.id, 5)));
    expect(reserved.filter((n) => n !== undefined).sort()).toEqual([1, 2, 3, 4, 5]);
    expect((await store.findLiveCode(flow.id, 'p'))?.attempts).toBe(5);
  });
});

describe('the lookup by secret', () => {
  it('uses the (kind, lookup_hash) index', async () => {
    const plan = await db.transaction(async (trx) => {
      await trx.raw('SET LOCAL enable_seqscan = off');
      const result = await trx.raw<{ rows: Record<string, string>[] }>("EXPLAIN SELECT * FROM flows WHERE kind = 'lite_capture' AND lookup_hash = 'x' AND expires_at > now()");
      return result.rows.map((r) => Object.values(r)[0]).join('\n');
    });
    expect(plan).toContain('flows_kind_lookup_hash');
  });
});
