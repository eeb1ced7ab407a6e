// Webhooks end to end: a downstream system on loopback registered through the `foyer webhooks` commands
// receives the outbox's events signed the Standard Webhooks way (verified with the reference library), with
// only the profile fields it subscribed to that the customer's choices allow; failures are retried; the
// account page names the system for each field it receives; restriction and erasure reach it too.
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { FormBrowser } from '../../support/form-browser.ts';
import { postForm, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startWebhookReceiver, type ReceivedWebhook as Received } from '../../support/webhook-receiver.ts';
import { PASSWORD, signedUpCustomer } from '../privacy/customer.ts';

let server: TestServer;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let webhookId: string;
let secret: string;
let accountId: string;
const EMAIL = 'grace.downstream@example.com';

const cli = async (...argv: string[]) => runCommand(argv, { services: server.services });
const cliJson = async <T>(...argv: string[]): Promise<T> => {
  const out = await cli(...argv, '--json');
  expect(out.exitCode, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as T;
};

/** The next message of `type` about the account, from index `from` of what the receiver got. */
const nextMessage = (type: string, from = 0) => receiver.waitFor((r) => r.message.type === type && r.message.data.sub === accountId, from);

const sectionOf = (html: string, id: string) => html.slice(html.indexOf(`id="${id}"`), html.indexOf('</', html.indexOf('Held for', html.indexOf(`id="${id}"`)) + 1) + 400);

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  server = await startTestServer({
    outboundAllowPrivate: true,
    webhooks: { pollMilliseconds: 100, retryBaseSeconds: 0.2, maxAttempts: 3, timeoutSeconds: 5 },
    profile: {
      fields: [
        { key: 'given_name', label: { en: 'First name' }, purpose: 'marketing' },
        { key: 'customer_number', label: { en: 'Customer number' }, purpose: 'account' },
      ],
    },
  } as never);
  const rp = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', firstParty: true, scope: 'openid email profile' });
  ({ accountId } = await signedUpCustomer(server, rp, EMAIL));
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});

describe('registering a downstream system', () => {
  it('refuses unknown fields, bad URLs and URLs with credentials, with a clear message', async () => {
    const unknown = await cli('webhooks', 'add', '--name', 'CRM', '--url', receiver.url, '--field', 'shoe_size');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('No such profile field: shoe_size');
    expect(unknown.stderr).toContain('given_name');
    const ftp = await cli('webhooks', 'add', '--name', 'CRM', '--url', 'ftp://crm.example/hook');
    expect(ftp.stderr).toContain('url: needs an http(s) URL');
    const userinfo = await cli('webhooks', 'add', '--name', 'CRM', '--url', 'https://user:pw@crm.example/hook');
    expect(userinfo.stderr).toContain('must not carry a user name or password');
    const pattern = await cli('webhooks', 'add', '--name', 'CRM', '--url', receiver.url, '--event', 'Profile Updated');
    expect(pattern.stderr).toContain('event patterns look like');
    expect(await cliJson<unknown[]>('webhooks', 'list')).toEqual([]);
  });

  it('shows the signing secret once and keeps it sealed', async () => {
    const added = await cliJson<{ id: string; secret: string; fields: string[]; events: string[] }>(
      'webhooks', 'add', '--name', 'CRM', '--url', receiver.url, '--event', 'profile.*', '--event', 'account.*', '--event', 'consent.granted',
      '--field', 'email', '--field', 'given_name', '--field', 'customer_number',
    );
    ({ id: webhookId, secret } = added);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(added).toMatchObject({ fields: ['email', 'given_name', 'customer_number'], events: ['profile.*', 'account.*', 'consent.granted'] });
    const listed = await cliJson<Record<string, unknown>[]>('webhooks', 'list');
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('secret');
    const row = await server.dbHandle.db('webhooks').where({ id: webhookId }).first() as { secret_sealed: string };
    expect(row.secret_sealed).not.toContain(secret.slice(6, 20));
  });
});

describe('deliveries', () => {
  let browser: FormBrowser;

  it('sends a signed profile.updated carrying the subscribed fields the customer allows, and names what is withheld', async () => {
    browser = new FormBrowser();
    const page = await signInToAccount(server, browser, EMAIL, PASSWORD, '/account/profile');
    const from = receiver.received.length;
    await server.services.profile.setFieldValue({ accountId, field: 'customer_number', value: 'C-77', source: 'admin' });
    await postForm(server, browser, page, '/account/profile/given_name', { given_name: 'Grace' });
    let message = await nextMessage('profile.updated', from);
    if (!(message.message.data.details as { fields: string[] }).fields.includes('given_name')) message = await nextMessage('profile.updated', receiver.received.indexOf(message) + 1);

    const verified = new StandardWebhook(secret).verify(message.body, message.headers) as Received['message'];
    expect(verified.type).toBe('profile.updated');
    expect(message.headers['webhook-id']).toMatch(/^evt_/);
    expect(message.headers['content-type']).toBe('application/json');
    expect(message.message.data).toMatchObject({
      sub: accountId, restricted: false,
      details: { fields: ['given_name'], source: 'customer' },
      // Marketing rests on consent, which this customer has not given: the CRM gets no first name.
      profile: { email: EMAIL, email_verified: true, customer_number: 'C-77' },
      withheld: ['given_name'],
    });
    expect(message.message.data.profile).not.toHaveProperty('given_name');
    expect(() => new StandardWebhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(message.body, message.headers)).toThrow();
  });

  it('names the system on the account page for each field it receives, only while the customer allows it', async () => {
    const before = (await browser.get(`${server.url}/account/profile`)).html;
    expect(sectionOf(before, 'profile-customer_number')).toContain('Also sent to: CRM');
    expect(sectionOf(before, 'profile-given_name')).not.toContain('Also sent to');
    expect(sectionOf(before, 'email-about')).toContain('Also sent to: CRM');

    const from = receiver.received.length;
    await server.services.purposes.choose(accountId, 'marketing', 'grant', { channel: 'test' });
    const granted = await nextMessage('consent.granted', from);
    expect(granted.message.data).toMatchObject({ profile: { given_name: 'Grace', customer_number: 'C-77' }, withheld: [] });
    const after = (await browser.get(`${server.url}/account/profile`)).html;
    expect(sectionOf(after, 'profile-given_name')).toContain('Also sent to: CRM');
  });

  it('retries a system that fails, with the same message id, until it answers 2xx', async () => {
    receiver.statuses.push(500, 503);
    const from = receiver.received.length;
    await server.services.profile.setFieldValue({ accountId, field: 'customer_number', value: 'C-78', source: 'admin' });
    const first = await nextMessage('profile.updated', from);
    for (let i = 0; i < 200 && receiver.received.filter((r) => r.headers['webhook-id'] === first.headers['webhook-id']).length < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const attempts = receiver.received.filter((r) => r.headers['webhook-id'] === first.headers['webhook-id']);
    expect(attempts).toHaveLength(3);
    type Shown = { deliveries: { event_id: string; status: string; attempts: number; last_status: number }[] };
    await expect.poll(async () => (await cliJson<Shown>('webhooks', 'show', webhookId)).deliveries.find((d) => d.event_id === first.headers['webhook-id']), { timeout: 10_000 })
      .toMatchObject({ status: 'delivered', attempts: 3, last_status: 200 });
  });

  it('gives up after the last attempt, and redelivers on request', async () => {
    receiver.statuses.push(500, 500, 500);
    const from = receiver.received.length;
    await server.services.profile.setFieldValue({ accountId, field: 'customer_number', value: 'C-79', source: 'admin' });
    const first = await nextMessage('profile.updated', from);
    const delivery = async () => (await cliJson<{ deliveries: { id: string; event_id: string; status: string; last_error: string }[] }>('webhooks', 'show', webhookId))
      .deliveries.find((d) => d.event_id === first.headers['webhook-id'])!;
    await expect.poll(delivery, { timeout: 10_000 }).toMatchObject({ status: 'failed', last_error: 'answered HTTP 500' });
    expect((await cli('webhooks', 'redeliver', (await delivery()).id)).exitCode).toBe(0);
    await expect.poll(async () => (await delivery()).status, { timeout: 10_000 }).toBe('delivered');
    expect((await cli('webhooks', 'redeliver', 'whd_nope')).stderr).toContain('no pending or failed delivery whd_nope');
  });

  it('marks the events of a restricted account and sends only essential fields', async () => {
    const from = receiver.received.length;
    await server.services.privacy.restriction.restrictProcessing(accountId, { channel: 'test' });
    const message = await nextMessage('account.processing_restricted', from);
    expect(message.message.data).toMatchObject({ restricted: true, profile: { email: EMAIL, customer_number: 'C-79' }, withheld: ['given_name'] });
    await server.services.privacy.restriction.liftRestriction(accountId, { channel: 'test' });
    const lifted = await nextMessage('account.restriction_lifted', from);
    expect(lifted.message.data).toMatchObject({ restricted: false, withheld: [] });
  });

  it('queues no new events while disabled', async () => {
    const count = async () => Number((await server.dbHandle.db('webhook_deliveries').where({ webhook_id: webhookId }).count({ n: '*' }).first() as { n: string | number }).n);
    expect((await cli('webhooks', 'disable', webhookId)).exitCode).toBe(0);
    const before = await count();
    await server.services.profile.setFieldValue({ accountId, field: 'customer_number', value: 'C-80', source: 'admin' });
    expect(await count()).toBe(before);
    expect((await cli('webhooks', 'enable', webhookId)).exitCode).toBe(0);
    await server.services.profile.setFieldValue({ accountId, field: 'customer_number', value: 'C-81', source: 'admin' });
    expect(await count()).toBe(before + 1);
  });

  it('after erasure, tells the system the subject is gone with its id only', async () => {
    const from = receiver.received.length;
    await server.services.privacy.erasure.requestErasure(accountId, { channel: 'test', graceDays: 0 });
    expect(await server.services.privacy.erasure.purgeDueErasures(new Date(Date.now() + 1000))).toEqual([accountId]);
    const erased = await nextMessage('account.erased', from);
    expect(erased.message.data).toEqual({ event_id: erased.headers['webhook-id'], sub: accountId, client_id: null, restricted: false });
    expect(erased.body).not.toContain(EMAIL);
    // The purge took the account's earlier deliveries with it; only the one saying it is gone is left.
    const left = await server.dbHandle.db('webhook_deliveries as d').join('events as e', 'e.id', 'd.event_id').where('d.account_id', accountId).select('e.type');
    expect(left).toEqual([{ type: 'account.erased' }]);
  });

  it('rotates the secret and removes the webhook with its delivery log', async () => {
    const rotated = await cliJson<{ secret: string }>('webhooks', 'rotate-secret', webhookId);
    expect(rotated.secret).not.toBe(secret);
    expect((await cli('webhooks', 'remove', webhookId)).exitCode).toBe(0);
    expect(await server.dbHandle.db('webhook_deliveries').where({ webhook_id: webhookId })).toEqual([]);
    expect((await cli('webhooks', 'remove', webhookId)).stderr).toContain(`no webhook ${webhookId}`);
  });
});
