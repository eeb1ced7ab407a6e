// Webhooks, the operator's side: one customer's events reach a system in order (a later one waits while an
// earlier one is retried), also with two instances delivering at once; a system failing for longer than the
// window is turned off, with an audit event and a banner; "send a test event" reaches that webhook alone; a
// private or loopback URL is refused when registered unless OUTBOUND_ALLOW_PRIVATE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookDispatcher } from '../../../src/events/webhooks/dispatcher.ts';
import { createWebhookStore } from '../../../src/events/webhooks/store.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startWebhookReceiver } from '../../support/webhook-receiver.ts';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const ANN = '00000000-0000-4000-8000-0000000000a1';
const BOB = '00000000-0000-4000-8000-0000000000b2';

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // The poller is slow here: the tests deliver by hand (runOnce), as two instances would.
  server = await startTestServer({ outboundAllowPrivate: true, webhooks: { pollMilliseconds: 60_000, retryBaseSeconds: 0, maxAttempts: 5 } } as never);
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

/** A second instance's dispatcher on the same database. */
function otherInstance() {
  const { db, box, fieldRelease, log } = server.services;
  return createWebhookDispatcher({
    db, store: createWebhookStore(db, box), fields: fieldRelease, log,
    settings: { allowPrivate: true, timeoutMs: 5000, maxAttempts: 5, retryBaseSeconds: 0, batchSize: 20, disableAfterFailingSeconds: 3600 },
  });
}

/** Events about an account, each in a transaction of its own (so their times differ), in this order. */
async function emitInOrder(accountId: string, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i += 1) await server.services.events.emit({ type: 'profile.updated', accountId, data: { tag: `${tag}${i}` } });
}

const tagsOf = (accountId: string) => receiver.received.filter((r) => r.message.data.sub === accountId && r.message.type === 'profile.updated')
  .map((r) => `${(r.message.data.details as { tag: string }).tag}:${r.status}`);

describe('order per customer', () => {
  it('holds later events of a customer while an earlier one is retried; other customers are not held', async () => {
    const hook = await server.services.webhooks.add({ name: 'CRM', url: receiver.url, events: ['profile.updated'] });
    receiver.statuses.push(500); // the first delivery fails once
    await emitInOrder(ANN, 3, 'ann');
    await emitInOrder(BOB, 1, 'bob');
    const { dispatcher } = server.services.webhooks;
    const other = otherInstance();
    // Two instances deliver at once, several times, until nothing is due.
    for (let round = 0; round < 8; round += 1) await Promise.all([dispatcher.runOnce(), other.runOnce(), dispatcher.runOnce(), other.runOnce()]);
    expect(tagsOf(ANN)).toEqual(['ann0:500', 'ann0:200', 'ann1:200', 'ann2:200']);
    expect(tagsOf(BOB)).toEqual(['bob0:200']);
    await server.services.webhooks.remove(hook.id);
  });

  it('delivers a burst of one customer\'s events from two instances once each, in order', async () => {
    const hook = await server.services.webhooks.add({ name: 'Warehouse', url: receiver.url, events: ['profile.updated'] });
    const from = receiver.received.length;
    await emitInOrder(BOB, 12, 'burst');
    const other = otherInstance();
    for (let round = 0; round < 15; round += 1) await Promise.all([server.services.webhooks.dispatcher.runOnce(), other.runOnce()]);
    const got = receiver.received.slice(from).map((r) => (r.message.data.details as { tag: string }).tag);
    expect(got).toEqual(Array.from({ length: 12 }, (_, i) => `burst${i}`));
    await server.services.webhooks.remove(hook.id);
  });
});

describe('a system that keeps failing', () => {
  it('is turned off after the window, with an audit event and a banner; turning it on starts afresh', async () => {
    const { call } = await createAdminApi(server, 'ops-webhooks');
    const hook = await server.services.webhooks.add({ name: 'Flaky', url: receiver.url, events: ['profile.updated'] });
    receiver.statuses.push(500, 500, 500);
    await server.services.events.emit({ type: 'profile.updated', accountId: ANN, data: { tag: 'flaky' } });
    await server.services.webhooks.dispatcher.runOnce();
    const failing = (await call(`/webhooks/${hook.id}`)).body as { enabled: boolean; failing_since: string | null };
    expect(failing).toMatchObject({ enabled: true });
    expect(failing.failing_since).not.toBeNull();
    // The spell began longer ago than the window (three days by default).
    await server.services.db('webhooks').where({ id: hook.id }).update({ failing_since: new Date(Date.now() - 4 * 86_400_000) });
    await server.services.webhooks.dispatcher.runOnce();
    const off = (await call(`/webhooks/${hook.id}`)).body as { enabled: boolean; disabled_reason: string | null };
    expect(off).toMatchObject({ enabled: false, disabled_reason: 'failing' });
    const audit = await server.services.db('events').where({ type: 'webhook.disabled' }).select('data', 'actor') as { data: { webhook_id: string }; actor: string }[];
    expect(audit.filter((e) => e.data.webhook_id === hook.id)).toHaveLength(1);
    // Further failures change nothing more; turning it on clears the spell.
    const on = (await call(`/webhooks/${hook.id}`, { method: 'PATCH', body: { enabled: true } })).body as { enabled: boolean; failing_since: string | null; disabled_reason: string | null };
    expect(on).toMatchObject({ enabled: true, failing_since: null, disabled_reason: null });
    await server.services.webhooks.remove(hook.id);
    receiver.statuses.length = 0;
  });
});

describe('send a test event', () => {
  it('reaches that webhook alone, signed like any other, and is refused while it is off', async () => {
    const { call } = await createAdminApi(server, 'ops-test-event');
    const target = await server.services.webhooks.add({ name: 'Target', url: `${receiver.url}?target`, events: ['*'] });
    const bystander = await server.services.webhooks.add({ name: 'Bystander', url: `${receiver.url}?bystander`, events: ['*'] });
    const from = receiver.received.length;
    const sent = await call(`/webhooks/${target.id}/test`, { method: 'POST' });
    expect(sent.status).toBe(202);
    const got = await receiver.waitFor((r) => r.message.type === 'webhook.test', from);
    expect(got.headers['webhook-id']).toBe((sent.body as { event_id: string }).event_id);
    await server.services.webhooks.dispatcher.runOnce();
    expect(receiver.received.slice(from).filter((r) => r.message.type === 'webhook.test')).toHaveLength(1);
    await server.services.webhooks.update(bystander.id, { enabled: false });
    expect((await call(`/webhooks/${bystander.id}/test`, { method: 'POST' })).status).toBe(409);
    expect((await call('/webhooks/wh_nope/test', { method: 'POST' })).status).toBe(404);
    await server.services.webhooks.remove(target.id);
    await server.services.webhooks.remove(bystander.id);
  });
});

describe('registering a private or loopback URL', () => {
  it('is refused by literal address and by name, unless OUTBOUND_ALLOW_PRIVATE', async () => {
    const strict = await startTestServer({ outboundAllowPrivate: false } as never);
    try {
      const { call } = await createAdminApi(strict, 'ops-strict');
      for (const url of ['http://127.0.0.1:9/hook', 'http://10.1.2.3/hook', 'http://[::1]/hook', 'http://localhost:9/hook']) {
        const refused = await call('/webhooks', { method: 'POST', body: { name: 'Internal', url } });
        expect(refused.status, url).toBe(400);
        expect(String(refused.body?.message), url).toContain('OUTBOUND_ALLOW_PRIVATE');
      }
      const hook = await strict.services.webhooks.add({ name: 'Public', url: 'https://93.184.216.34/hook' });
      await expect(strict.services.webhooks.update(hook.id, { url: 'http://192.168.1.1/hook' })).rejects.toThrow(/OUTBOUND_ALLOW_PRIVATE/);
    } finally {
      await strict.stop();
    }
    // This server allows private addresses (as tests and intranets do).
    expect((await server.services.webhooks.add({ name: 'Loopback', url: receiver.url })).url).toBe(receiver.url);
  });
});
