// The throttle's decisions, with an in-memory stand-in for its table.
import { describe, expect, it } from 'vitest';
import { createCredentialThrottle } from '../../../src/authn/credential-throttle.ts';
import type { ThrottleQueries, ThrottleState } from '../../../src/security/throttle.ts';

function memoryQueries(): ThrottleQueries & { rows: Map<string, ThrottleState> } {
  const rows = new Map<string, ThrottleState>();
  return {
    rows,
    async hit(key, windowSeconds) {
      const now = new Date();
      const row = rows.get(key);
      const next = !row || row.windowEndsAt <= now
        ? { hits: 1, windowEndsAt: new Date(now.getTime() + windowSeconds * 1000), lastHitAt: now }
        : { ...row, hits: row.hits + 1, lastHitAt: now };
      rows.set(key, next);
      return next;
    },
    async peek(key) {
      const row = rows.get(key);
      return row && row.windowEndsAt > new Date() ? row : undefined;
    },
    async peekMany(keys) {
      const now = new Date();
      return new Map(keys.flatMap((key) => {
        const row = rows.get(key);
        return row && row.windowEndsAt > now ? [[key, row] as const] : [];
      }));
    },
    async clear(key) {
      rows.delete(key);
    },
    async clearPrefixed(prefixes) {
      const gone = [...rows.keys()].filter((key) => prefixes.some((p) => key.startsWith(p)));
      for (const key of gone) rows.delete(key);
      return gone.length;
    },
    async sweepExpired() {
      return 0;
    },
  };
}

const limits = { emailAddressFailures: 3, emailFailures: 5, emailSlowdownSeconds: 30, addressFailures: 100, windowSeconds: 900, codeSendsPerEmail: 2, codeSendsPerAddress: 3 };

describe('credential throttle', () => {
  it('locks an email from one address after N failures, but not from another address', async () => {
    const throttle = createCredentialThrottle(memoryQueries(), Buffer.from('k'), limits);
    for (let i = 0; i < 3; i++) await throttle.recordFailure('password', 'a@example.com', '10.0.0.1');
    expect((await throttle.checkCredential('password', 'a@example.com', '10.0.0.1')).allowed).toBe(false);
    expect((await throttle.checkCredential('password', 'A@Example.com ', '10.0.0.1')).allowed).toBe(false);
    expect((await throttle.checkCredential('password', 'a@example.com', '10.0.0.2')).allowed).toBe(true);
  });

  it('slows an email down past the per-email ceiling, allowing one attempt per slot', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), limits);
    for (let i = 0; i < 5; i++) await throttle.recordFailure('password', 'b@example.com', `10.0.1.${i}`);
    const verdict = await throttle.checkCredential('password', 'b@example.com', '10.0.2.1');
    expect(verdict).toMatchObject({ allowed: false });
    for (const [, row] of queries.rows) row.lastHitAt = new Date(Date.now() - 31_000);
    expect((await throttle.checkCredential('password', 'b@example.com', '10.0.2.1')).allowed).toBe(true);
  });

  it('locks an address past its ceiling whatever the email', async () => {
    const throttle = createCredentialThrottle(memoryQueries(), Buffer.from('k'), { ...limits, addressFailures: 4, emailAddressFailures: 100, emailFailures: 100 });
    for (let i = 0; i < 4; i++) await throttle.recordFailure('password', `u${i}@example.com`, '10.9.9.9');
    expect((await throttle.checkCredential('password', 'fresh@example.com', '10.9.9.9')).allowed).toBe(false);
  });

  it('unlocks a subject (every kind, every address) and leaves other subjects and the per-address ceiling alone', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), { ...limits, addressFailures: 6 });
    for (let i = 0; i < 3; i++) await throttle.recordFailure('password', 'd@example.com', '10.0.0.1');
    for (let i = 0; i < 3; i++) await throttle.recordFailure('totp', 'account:1', '10.0.0.1');
    for (let i = 0; i < 3; i++) await throttle.recordFailure('password', 'e@example.com', '10.0.0.2');
    expect(await throttle.unlockSubjects(['D@example.com', 'account:1'])).toBe(4);
    expect((await throttle.checkCredential('password', 'd@example.com', '10.0.0.1')).allowed).toBe(true);
    expect((await throttle.checkCredential('totp', 'account:1', '10.0.0.1')).allowed).toBe(true);
    expect((await throttle.checkCredential('password', 'e@example.com', '10.0.0.2')).allowed).toBe(false);
    // The addresses' own counters stay (they are about the address, not the customer).
    expect((await throttle.checkCredential('password', 'new@example.com', '10.0.0.1')).allowed).toBe(true);
    expect(queries.rows.size).toBe(5);
  });

  it('clears the email+address counter on success only', async () => {
    const throttle = createCredentialThrottle(memoryQueries(), Buffer.from('k'), limits);
    for (let i = 0; i < 2; i++) await throttle.recordFailure('password', 'c@example.com', '10.0.0.1');
    await throttle.recordSuccess('password', 'c@example.com', '10.0.0.1');
    await throttle.recordFailure('password', 'c@example.com', '10.0.0.1');
    expect((await throttle.checkCredential('password', 'c@example.com', '10.0.0.1')).allowed).toBe(true);
  });

  it('limits code mails per email and per address', async () => {
    const throttle = createCredentialThrottle(memoryQueries(), Buffer.from('k'), limits);
    expect((await throttle.allowCodeSend('d@example.com', '10.0.0.1')).allowed).toBe(true);
    expect((await throttle.allowCodeSend('d@example.com', '10.0.0.1')).allowed).toBe(true);
    expect((await throttle.allowCodeSend('d@example.com', '10.0.0.1')).allowed).toBe(false);
    expect((await throttle.allowCodeSend('e@example.com', '10.0.0.1')).allowed).toBe(true);
    expect((await throttle.allowCodeSend('f@example.com', '10.0.0.1')).allowed).toBe(false);
  });

  it('never keys a counter by the raw email or address', async () => {
    const queries = memoryQueries();
    const throttle = createCredentialThrottle(queries, Buffer.from('k'), limits);
    await throttle.recordFailure('password', 'g@example.com', '10.0.0.7');
    for (const key of queries.rows.keys()) {
      expect(key).not.toContain('g@example.com');
      expect(key).not.toContain('10.0.0.7');
    }
  });
});
