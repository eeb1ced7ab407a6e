// The events table: the migration runs twice, events are appended with their account and data, listed
// newest first per account, and commit or roll back with the transaction that emitted them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../../src/db/create-db.ts';
import { createEventOutbox } from '../../../src/events/outbox.ts';
import { createTestDb } from '../../support/test-db.ts';

let handle: DbHandle;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

const ACCOUNT = '00000000-0000-4000-8000-0000000000e1';

describe('the events outbox', () => {
  it('runs its migration twice over its own rows', async () => {
    const outbox = createEventOutbox(handle.db);
    await outbox.emit({ type: 'test.kept', accountId: ACCOUNT });
    const migration = await import('../../../migrations/20261201000000_events.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(handle.db);
    await migration.up(handle.db);
    expect((await outbox.listEventsOfAccount(ACCOUNT)).map((e) => e.type)).toContain('test.kept');
  });

  it('stores type, account, client, data and the restricted mark, newest first', async () => {
    const outbox = createEventOutbox(handle.db);
    await outbox.emit({ type: 'a.first', accountId: ACCOUNT, clientId: 'shop', data: { field: 'given_name' } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await outbox.emit({ type: 'a.second', accountId: ACCOUNT, restricted: true });
    const [latest, previous] = await outbox.listEventsOfAccount(ACCOUNT);
    expect(latest).toMatchObject({ type: 'a.second', restricted: true, clientId: null });
    expect(previous).toMatchObject({ type: 'a.first', clientId: 'shop', data: { field: 'given_name' }, restricted: false });
  });

  it('commits and rolls back with the emitting transaction', async () => {
    const outbox = createEventOutbox(handle.db);
    await handle.db.transaction(async (trx) => outbox.emit({ type: 'tx.committed', accountId: ACCOUNT }, trx));
    await expect(handle.db.transaction(async (trx) => {
      await outbox.emit({ type: 'tx.rolled_back', accountId: ACCOUNT }, trx);
      throw new Error('abort');
    })).rejects.toThrow('abort');
    const types = (await outbox.listEventsOfAccount(ACCOUNT)).map((e) => e.type);
    expect(types).toContain('tx.committed');
    expect(types).not.toContain('tx.rolled_back');
  });

  it('queues one delivery per enabled webhook whose patterns match, in the same transaction; the webhooks migration runs twice over its rows', async () => {
    const db = handle.db;
    await db('webhooks').insert([
      { id: 'wh_all', name: 'All', url: 'https://a.example/h', secret_sealed: 'x', event_types: JSON.stringify(['*']) },
      { id: 'wh_profile', name: 'Profile', url: 'https://b.example/h', secret_sealed: 'x', event_types: JSON.stringify(['profile.*']) },
      { id: 'wh_exact', name: 'Exact', url: 'https://c.example/h', secret_sealed: 'x', event_types: JSON.stringify(['account.created']) },
      { id: 'wh_off', name: 'Off', url: 'https://d.example/h', secret_sealed: 'x', event_types: JSON.stringify(['*']), enabled: false },
    ]);
    const outbox = createEventOutbox(db);
    const profileEvent = await outbox.emit({ type: 'profile.updated', accountId: ACCOUNT });
    const loginEvent = await outbox.emit({ type: 'account.signed_in', accountId: ACCOUNT });
    const queued = async (eventId: string) => (await db('webhook_deliveries').where({ event_id: eventId }).orderBy('webhook_id')).map((d: { webhook_id: string }) => d.webhook_id);
    expect(await queued(profileEvent)).toEqual(['wh_all', 'wh_profile']);
    expect(await queued(loginEvent)).toEqual(['wh_all']);
    expect(await db('webhook_deliveries').where({ event_id: profileEvent }).first()).toMatchObject({ status: 'pending', attempts: 0, account_id: ACCOUNT });
    await expect(db('webhook_deliveries').insert({ id: 'whd_x', webhook_id: 'wh_all', event_id: profileEvent })).rejects.toThrow();
    await expect(db('webhook_deliveries').where({ event_id: loginEvent }).update({ status: 'lost' })).rejects.toThrow();

    const migration = await import('../../../migrations/20261202000000_webhooks.ts') as { up(knex: unknown): Promise<void> };
    await migration.up(db);
    await migration.up(db);
    expect(await queued(profileEvent)).toEqual(['wh_all', 'wh_profile']);
    await db('webhooks').where({ id: 'wh_profile' }).delete();
    expect(await queued(profileEvent)).toEqual(['wh_all']);
  });
});
