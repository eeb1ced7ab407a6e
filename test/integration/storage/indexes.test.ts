// Every hot lookup uses an index: the statements the real query functions send are captured and EXPLAINed
// with sequential scans priced out (the test tables are tiny, so the planner would otherwise scan them),
// and each plan must read through the named index.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountQueries } from '../../../src/accounts/queries.ts';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createFlowStore } from '../../../src/flows/store.ts';
import { federationFlow } from '../../../src/flows/kinds/federation.ts';
import { liteCaptureFlow } from '../../../src/flows/kinds/lite-capture.ts';
import { loginFlow } from '../../../src/flows/kinds/sign-in.ts';
import { createAdapterClass } from '../../../src/oidc/adapter.ts';
import { createClientStore } from '../../../src/oidc/clients.ts';
import { createSecretBox } from '../../../src/security/envelope.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

interface Captured { sql: string; bindings: unknown[] }

/** The statements `run` sends to the database. */
async function statementsOf(run: () => Promise<unknown>): Promise<Captured[]> {
  const captured: Captured[] = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => captured.push({ sql: query.sql, bindings: query.bindings ?? [] });
  handle.db.on('query', listener);
  try {
    await run();
  } finally {
    handle.db.removeListener('query', listener);
  }
  return captured;
}

/** The plan of one statement, with sequential scans priced out (only where an index can serve does the plan avoid one). */
async function planOf(statement: Captured): Promise<string> {
  return handle.db.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    // The captured text numbers its parameters ($1, $2…) in order; raw() takes them as ?.
    const result = await trx.raw<{ rows: { 'QUERY PLAN': string }[] }>(`EXPLAIN ${statement.sql.replace(/\$\d+/g, '?')}`, statement.bindings as never);
    return result.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

/** Asserts the one statement `run` sends to `table` reads it through `index`. */
async function expectIndexed(run: () => Promise<unknown>, table: string, index: string): Promise<void> {
  const statements = (await statementsOf(run)).filter((s) => s.sql.includes(table));
  expect(statements.length, `statements on ${table}`).toBeGreaterThan(0);
  for (const statement of statements) {
    const plan = await planOf(statement);
    expect(plan, `${statement.sql}\n${plan}`).toContain(index);
    expect(plan, `${statement.sql}\n${plan}`).not.toMatch(new RegExp(`Seq Scan on ${table}\\b`));
  }
}

const key = randomBytes(32);

describe('the hot lookups', () => {
  it('find an account by email through the address table\'s primary key', async () => {
    await expectIndexed(() => createAccountQueries(handle.db).findAccountByEmail('someone@example.com'), 'account_emails', 'account_emails_pkey');
  });

  it('find a session by its uid, and a grant\'s tokens by grant id', async () => {
    const Adapter = createAdapterClass(handle.db, createClientStore(handle.db, createSecretBox('x'.repeat(32))), { refreshReuseGraceSeconds: 10 });
    await expectIndexed(() => new Adapter('Session').findByUid('a-session-uid'), 'oidc_models', 'oidc_models_uid');
    await expectIndexed(() => new Adapter('AccessToken').revokeByGrantId('a-grant-id'), 'oidc_models', 'oidc_models_grant_id');
    await expectIndexed(() => new Adapter('Grant').find('a-grant-id'), 'oidc_models', 'oidc_models_pkey');
  });

  it('find a flow by its interaction, by its id, and by the keyed hash of the secret its holder presents', async () => {
    const flows = createFlowStore(handle.db, { lookupKey: key });
    await expectIndexed(() => flows.findFlowForInteraction('an-interaction-uid', loginFlow), 'flows', 'flows_interaction_uid');
    await expectIndexed(() => flows.findFlowById('flow_1', loginFlow), 'flows', 'flows_pkey');
    // The upstream's state and a link proof's browser token (federation flows), a capture confirmation token.
    for (const kind of [federationFlow, liteCaptureFlow]) {
      await expectIndexed(() => flows.findFlowBySecret(kind, 'a-secret'), 'flows', 'flows_kind_lookup_hash');
    }
  });
});
