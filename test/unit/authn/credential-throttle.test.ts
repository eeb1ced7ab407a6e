// The throttle's decisions (reserve → verify → settle, and code mails), with an in-memory stand-in for its table.
import { describe, expect, it } from 'vitest';
import { createCredentialThrottle } from '../../../src/authn/credential-throttle.ts';
import { memoryQueries } from '../../support/memory-throttle.ts';

const limits = { emailAddressFailures: 3, emailFailures: 5, emailSlowdownSeconds: 30, addressFailures: 100, windowSeconds: 900, codeSendsPerEmail: 2, codeSendsPerAddress: 3 };
const wrong = async () => ({ status: 'invalid' as const });
const right = async () => ({ status: 'ok' as const });
const outcome = ({ status }: { status: string }) => (status === 'ok' ? 'success' as const : 'failure' as const);
const key = (subject: string, address: string) => ({ kind: 'password', subject, address });

describe('credential attempts', () => {
  it('locks an email from one address after N failures, but not from another address', async () => {
    const throttle = createCredentialThrottle(memoryQueries(), Buffer.from('k'), limits);
    for (let i = 0; i < 3; i++) expect(await throttle.attempt(key('a@example.com', '10.0.0.1'), wrong, outcome)).toEqual({ status: 'invalid' });
    expect(await throttle.attempt(key('a@example.com', '10.0.0.1'), right, outcome)).toMatchObject({ status: 'throttled' });
    expect(await throttle.attempt(key('A@Example.com ', '10.0.0.1'), right, outcome)).toMatchObject({ status: 'throttled' });
    expect(await throttle.attempt(key('a@example.com', '10.0.0.2'), right, outcome)).toEqual({ status: 'ok' });
  });

  it('runs no verification once refused, even for attempts started at once', async () => {
    const throttle = createCredentialThrottle(memoryQueries(), Buffer.from('k'), limits);
    const results = await Promise.all(Array.from({ length: 20 }, () => throttle.attempt(key('h@example.com', '10.0.0.1'), wrong, outcome)));
    expect(results.filter((r) => r.status === 'invalid')).toHaveLength(3);
    expect(throttle.verificationsRun('password')).toBe(3);
  });

  it('slows an email down past the per-email ceiling, allowing one attempt per slot', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), limits);
    for (let i = 0; i < 5; i++) await throttle.attempt(key('b@example.com', `10.0.1.${i}`), wrong, outcome);
    const verdict = await throttle.attempt(key('b@example.com', '10.0.2.1'), right, outcome);
    expect(verdict).toMatchObject({ status: 'throttled' });
    for (const [, row] of queries.rows) row.lastHitAt = new Date(Date.now() - 31_000);
    expect(await throttle.attempt(key('b@example.com', '10.0.2.1'), right, outcome)).toEqual({ status: 'ok' });
  });

  it('unlocks a subject (every kind, every address) and leaves other subjects and the per-address counters alone', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), { ...limits, addressFailures: 6 });
    for (let i = 0; i < 3; i++) await throttle.attempt(key('d@example.com', '10.0.0.1'), wrong, outcome);
    for (let i = 0; i < 3; i++) await throttle.attempt({ kind: 'totp', subject: 'account:1', address: '10.0.0.1' }, wrong, outcome);
    for (let i = 0; i < 3; i++) await throttle.attempt(key('e@example.com', '10.0.0.2'), wrong, outcome);
    expect(await throttle.unlockSubjects(['D@example.com', 'account:1'])).toBe(4);
    expect(await throttle.attempt(key('d@example.com', '10.0.0.1'), right, outcome)).toEqual({ status: 'ok' });
    expect(await throttle.attempt({ kind: 'totp', subject: 'account:1', address: '10.0.0.1' }, right, outcome)).toEqual({ status: 'ok' });
    expect(await throttle.attempt(key('e@example.com', '10.0.0.2'), right, outcome)).toMatchObject({ status: 'throttled' });
  });

  it('locks an address past its ceiling whatever the email', async () => {
    const throttle = createCredentialThrottle(memoryQueries(), Buffer.from('k'), { ...limits, addressFailures: 4, emailAddressFailures: 100, emailFailures: 100 });
    for (let i = 0; i < 4; i++) await throttle.attempt(key(`u${i}@example.com`, '10.9.9.9'), wrong, outcome);
    expect(await throttle.attempt(key('fresh@example.com', '10.9.9.9'), right, outcome)).toMatchObject({ status: 'throttled' });
  });

  it('forgets the email+address failures on success; a success counts against nothing', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), limits);
    for (let i = 0; i < 2; i++) await throttle.attempt(key('c@example.com', '10.0.0.1'), wrong, outcome);
    await throttle.attempt(key('c@example.com', '10.0.0.1'), right, outcome);
    await throttle.attempt(key('c@example.com', '10.0.0.1'), wrong, outcome);
    await throttle.attempt(key('c@example.com', '10.0.0.1'), wrong, outcome);
    expect(await throttle.attempt(key('c@example.com', '10.0.0.1'), right, outcome)).toEqual({ status: 'ok' });
    // 4 failures and 2 successes: the per-email and per-address counters hold the failures only.
    expect([...queries.rows.values()].map((row) => row.hits).sort()).toEqual([4, 4]);
  });

  it('gives a void attempt back, and counts one that threw as a failure', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), limits);
    await throttle.attempt(key('v@example.com', '10.0.0.1'), async () => ({ status: 'expired' }), () => 'void');
    expect([...queries.rows.values()].every((row) => row.hits === 0)).toBe(true);
    await expect(throttle.attempt(key('v@example.com', '10.0.0.1'), () => Promise.reject(new Error('down')), outcome)).rejects.toThrow('down');
    expect([...queries.rows.values()].map((row) => row.hits)).toEqual([1, 1, 1]);
  });

  it('never keys a counter by the raw email or address', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), limits);
    await throttle.attempt(key('g@example.com', '10.0.0.7'), wrong, outcome);
    for (const counter of queries.rows.keys()) {
      expect(counter).not.toContain('g@example.com');
      expect(counter).not.toContain('10.0.0.7');
    }
  });
});

describe('code mails', () => {
  it('are limited per address, and past the per-email cap slowed down to one per slot, never refused for the window', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), { ...limits, codeSendsPerAddress: 100 });
    expect((await throttle.allowCodeSend('d@example.com', '10.0.0.1')).allowed).toBe(true);
    expect((await throttle.allowCodeSend('d@example.com', '10.0.0.2')).allowed).toBe(true);
    const slowed = await throttle.allowCodeSend('d@example.com', '10.0.0.3');
    expect(slowed).toEqual({ allowed: false, retryAfterSeconds: 30 });
    for (const [, row] of queries.rows) row.lastHitAt = new Date(Date.now() - 31_000);
    expect((await throttle.allowCodeSend('d@example.com', '10.0.0.4')).allowed).toBe(true);
    expect((await throttle.allowCodeSend('d@example.com', '10.0.0.5')).allowed).toBe(false);
  });

  it('lock an address past its own ceiling', async () => {
    const throttle = createCredentialThrottle(memoryQueries(), Buffer.from('k'), limits);
    for (const email of ['e@example.com', 'f@example.com', 'g@example.com']) expect((await throttle.allowCodeSend(email, '10.0.0.9')).allowed).toBe(true);
    expect(await throttle.allowCodeSend('h@example.com', '10.0.0.9')).toMatchObject({ allowed: false });
  });
});
