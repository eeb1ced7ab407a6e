// Reservations against the real tables, on PostgreSQL and PGlite: 200 calls at once get exactly the
// limit, because each attempt is counted in the statement that checks the limit (src/authn/attempts.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialThrottle } from '../../../src/authn/credential-throttle.ts';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createCodeService } from '../../../src/flows/codes.ts';
import { loginFlow } from '../../../src/flows/kinds/sign-in.ts';
import { createFlowStore } from '../../../src/flows/store.ts';
import { createThrottleQueries } from '../../../src/security/throttle.ts';
import { createTestDb } from '../../support/test-db.ts';

const BURST = 200;
const limits = { emailAddressFailures: 5, emailFailures: 50, emailSlowdownSeconds: 30, addressFailures: 100, windowSeconds: 900, codeSendsPerEmail: 5, codeSendsPerAddress: 1000 };
let handle: DbHandle;

beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const burst = <T>(call: (i: number) => Promise<T>) => Promise.all(Array.from({ length: BURST }, (_, i) => call(i)));

describe('a throttle counter', () => {
  it('grants exactly `limit` of 200 parallel reservations, and counts no refused one', async () => {
    const queries = createThrottleQueries(handle.db);
    const granted = (await burst(() => queries.reserve('burst-key', 900, 7))).filter(Boolean);
    expect(granted).toHaveLength(7);
    expect((await queries.peek('burst-key'))?.hits).toBe(7);
  });

  it('past the ceiling, grants exactly one of 200 parallel reservations once its slot is free', async () => {
    const queries = createThrottleQueries(handle.db);
    for (let i = 0; i < 3; i++) await queries.reserve('slow-key', 900, 3, 30);
    expect(await queries.reserve('slow-key', 900, 3, 30)).toBeUndefined();
    await handle.db('throttles').where({ key: 'slow-key' }).update({ last_hit_at: handle.db.raw("now() - interval '31 seconds'") });
    expect((await burst(() => queries.reserve('slow-key', 900, 3, 30))).filter(Boolean)).toHaveLength(1);
  });

  it('starts a new window once the old one ended', async () => {
    const queries = createThrottleQueries(handle.db);
    for (let i = 0; i < 2; i++) await queries.reserve('window-key', 900, 2);
    await handle.db('throttles').where({ key: 'window-key' }).update({ window_ends_at: handle.db.raw("now() - interval '1 second'") });
    expect(await queries.reserve('window-key', 900, 2)).toMatchObject({ hits: 1 });
  });
});

describe('credential attempts', () => {
  it('run exactly `emailAddressFailures` verifications of 200 parallel wrong ones, and refuse the right one after them', async () => {
    const throttle = createCredentialThrottle(createThrottleQueries(handle.db), Buffer.from('k'), limits);
    const key = { kind: 'burst', subject: 'ann@example.com', address: '192.0.2.1' };
    const outcome = ({ status }: { status: string }) => (status === 'ok' ? 'success' as const : 'failure' as const);
    const results = await burst((i) => throttle.attempt(key, async () => ({ status: i === BURST - 1 ? 'ok' : 'invalid' }), outcome));
    expect(throttle.verificationsRun('burst')).toBe(limits.emailAddressFailures);
    expect(results.filter((r) => r.status === 'throttled')).toHaveLength(BURST - limits.emailAddressFailures);
    expect(results.at(-1)).toMatchObject({ status: 'throttled' });
  });
});

describe('a one-time code', () => {
  it('grants exactly `maxAttempts` of 200 parallel guesses, and the right code after them is refused', async () => {
    const flows = createFlowStore(handle.db, { lookupKey: Buffer.alloc(32, 1) });
    const codes = createCodeService(flows, { hashKey: Buffer.from('k'), ttlSeconds: 600, maxAttempts: 5 });
    const flow = await flows.insertFlow({ kind: loginFlow, state: 'authenticate', interactionUid: null, accountId: null, context: { email: 'burst@example.com' } });
    const code = await codes.issueCode(flow.id, 'burst');
    const wrong = code === '000000' ? '111111' : '000000';
    const verdicts = await burst((i) => codes.verifyCode(flow.id, 'burst', i === BURST - 1 ? code : wrong));
    expect(verdicts.filter((v) => v === 'invalid')).toHaveLength(4);
    expect(verdicts.filter((v) => v === 'ok')).toHaveLength(0);
    expect(verdicts.at(-1)).toBe('exhausted');
    const row = await handle.db('one_time_codes').where({ flow_id: flow.id }).first() as { attempts: number };
    expect(row.attempts).toBe(5);
  });

  it('reserves no attempt on a spent code', async () => {
    const flows = createFlowStore(handle.db, { lookupKey: Buffer.alloc(32, 1) });
    const codes = createCodeService(flows, { hashKey: Buffer.from('k'), ttlSeconds: 600, maxAttempts: 5 });
    const flow = await flows.insertFlow({ kind: loginFlow, state: 'authenticate', interactionUid: null, accountId: null, context: { email: 'burst@example.com' } });
    const code = await codes.issueCode(flow.id, 'spent');
    expect(await codes.verifyCode(flow.id, 'spent', code)).toBe('ok');
    const row = await handle.db('one_time_codes').where({ flow_id: flow.id }).first() as { id: string };
    expect(await flows.reserveCodeAttempt(row.id, 5)).toBeUndefined();
    expect(await codes.verifyCode(flow.id, 'spent', code)).toBe('expired');
  });
});
