// Owns combining a Provider request's token writes into fewer statements. On loopback each statement costs
// its round trip in CPU: a refresh consumes the old refresh token and stores the new refresh and access
// tokens, three writes that nothing in the request reads back. So within a Provider request those writes
// wait, and go with the next write to oidc_models as data-modifying CTEs of one statement (PostgreSQL runs
// each exactly once, to completion), or on their own before the next read of oidc_models and before the
// response is sent (the Provider's post-middleware, provider.ts): nothing outside the request sees the difference.
import type { Knex } from 'knex';
import type { Db } from '../db/create-db.ts';
import { providerRequestMemo, type ProviderRequestMemo } from './session-writes.ts';

export interface Write {
  sql: string;
  bindings: Knex.RawBinding[];
}

/** One statement doing `writes` in order, then `last` (whose result it returns). */
export function combined(writes: readonly Write[], last: Write): Write {
  if (writes.length === 0) return last;
  const ctes = writes.map((w, i) => `w${i} AS (${w.sql} RETURNING 1)`).join(', ');
  return { sql: `WITH ${ctes} ${last.sql}`, bindings: [...writes.flatMap((w) => w.bindings), ...last.bindings] };
}

/** Leaves `write` for later in this Provider request; false outside one (the caller writes now). */
export function defer(db: Db, write: Write): boolean {
  const memo = providerRequestMemo();
  if (!memo) return false;
  (memo.pendingWrites ??= { db, writes: [] }).writes.push(write);
  return true;
}

/** The writes waiting in this request, taken (the caller runs them, alone or with its own). */
export function takePending(memo: ProviderRequestMemo | undefined = providerRequestMemo()): Write[] {
  const pending = memo?.pendingWrites;
  if (!memo || !pending) return [];
  memo.pendingWrites = undefined;
  return pending.writes;
}

/** Runs the writes waiting in this request, in one statement. */
export async function flushPending(memo: ProviderRequestMemo | undefined = providerRequestMemo()): Promise<void> {
  const db = memo?.pendingWrites?.db;
  const writes = takePending(memo);
  if (!db || writes.length === 0) return;
  const statement = combined(writes.slice(0, -1), writes.at(-1)!);
  await db.raw(statement.sql, statement.bindings);
}
