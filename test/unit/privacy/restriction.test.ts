// Restriction helpers: the outbox wrapper that marks restricted accounts' events, and how an erasure request reads.
import { describe, expect, it } from 'vitest';
import type { DomainEvent, EventOutbox } from '../../../src/events/outbox.ts';
import { describeErasure } from '../../../src/privacy/erasure.ts';
import type { PrivacyState } from '../../../src/privacy/queries.ts';
import { withRestrictionMark } from '../../../src/privacy/restriction.ts';
import { findAccountColumns, type SchemaQueries } from '../../../src/privacy/schema.ts';

describe('withRestrictionMark', () => {
  const emitted: DomainEvent[] = [];
  const outbox = { emit: async (event: DomainEvent) => (emitted.push(event), 'evt') } as unknown as EventOutbox;
  const marked = withRestrictionMark(outbox, { isProcessingRestricted: async (id: string) => id === 'restricted-one' });

  it('marks events of a restricted account, leaves others and account-less events unmarked, keeps an explicit mark', async () => {
    await marked.emit({ type: 'a', accountId: 'restricted-one' });
    await marked.emit({ type: 'b', accountId: 'free-one' });
    await marked.emit({ type: 'c' });
    await marked.emit({ type: 'd', accountId: 'free-one', restricted: true });
    expect(emitted.map((e) => [e.type, e.restricted])).toEqual([['a', true], ['b', false], ['c', false], ['d', true]]);
  });
});

describe('describeErasure', () => {
  const base: PrivacyState = { accountId: 'x', status: 'active', restrictedAt: null, erasureRequestedAt: null, eraseAfter: null, erasedAt: null, statusBeforeErasure: null };
  const now = new Date('2026-12-01T00:00:00Z');
  it('reads none, pending (cancellable until erase_after) and erased', () => {
    expect(describeErasure(base, now)).toEqual({ state: 'none' });
    const requested = { ...base, status: 'disabled', erasureRequestedAt: now, eraseAfter: new Date('2026-12-15T00:00:00Z') };
    expect(describeErasure(requested, now)).toMatchObject({ state: 'pending', cancellable: true });
    expect(describeErasure(requested, new Date('2026-12-16T00:00:00Z'))).toMatchObject({ state: 'pending', cancellable: false });
    expect(describeErasure({ ...requested, status: 'erased', erasedAt: now }, now)).toEqual({ state: 'erased', erasedAt: now });
  });
});

describe('findAccountColumns', () => {
  it('finds account_id columns and foreign keys to accounts, children before the tables they reference', async () => {
    const col = (table: string, column: string) => ({ table, column, dataType: 'uuid', nullable: true });
    const schema = {
      listColumns: async () => [col('accounts', 'id'), col('flows', 'account_id'), col('flow_notes', 'account_id'), col('gifts', 'recipient_account'), col('clients', 'client_id')],
      listForeignKeys: async () => [{ table: 'flow_notes', column: 'flow_id', parent: 'flows' }, { table: 'gifts', column: 'recipient_account', parent: 'accounts' }],
    } as unknown as SchemaQueries;
    const found = await findAccountColumns(schema);
    expect(found.map((c) => `${c.table}.${c.column}`)).toEqual(['flow_notes.account_id', 'flows.account_id', 'gifts.recipient_account']);
  });
});
