// The pure parts of webhook delivery: the Standard Webhooks signature (checked with the reference library),
// the retry schedule, which subscriptions an event type matches, and which addresses a delivery may reach.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../src/events/webhooks/dispatcher.ts';
import { postJson } from '../../../src/events/webhooks/outbound.ts';
import { refusedAddress } from '../../../src/security/outbound.ts';
import { signWebhook } from '../../../src/events/webhooks/signature.ts';
import { EVENT_PATTERN, patternsMatching } from '../../../src/events/webhooks/store.ts';

describe('signWebhook', () => {
  const secret = `whsec_${Buffer.from('a secret of thirty-two bytes....').toString('base64')}`;

  it('signs so that a Standard Webhooks library verifies it, and a changed body fails', () => {
    const body = JSON.stringify({ type: 'profile.updated', data: { sub: 'x' } });
    const headers = signWebhook(secret, 'evt_1', body);
    expect(new StandardWebhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new StandardWebhook(secret).verify(body.replace('x', 'y'), { ...headers })).toThrow();
  });

  it('stamps the time in seconds, and the library refuses an old stamp', () => {
    const body = '{}';
    const old = signWebhook(secret, 'evt_2', body, new Date(Date.now() - 3600_000));
    expect(old['webhook-timestamp']).toBe(String(Math.floor((Date.now() - 3600_000) / 1000)));
    expect(() => new StandardWebhook(secret).verify(body, { ...old })).toThrow(/timestamp/i);
  });
});

describe('retryDelayMs', () => {
  it('grows six-fold from the base and stops at ten hours', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 10))).toEqual([10_000, 60_000, 360_000, 2_160_000]);
    expect(retryDelayMs(12, 10)).toBe(10 * 3600_000);
    expect(retryDelayMs(3, 0)).toBe(0);
  });
});

describe('event patterns', () => {
  it('lets an event match *, its type and each family above it', () => {
    expect(patternsMatching('account.email_changed')).toEqual(['*', 'account.email_changed', 'account.*']);
    expect(patternsMatching('consent.receipt.issued')).toEqual(['*', 'consent.receipt.issued', 'consent.*', 'consent.receipt.*']);
  });

  it('accepts only well-formed patterns', () => {
    for (const ok of ['*', 'account.*', 'profile.updated', 'consent.receipt.*']) expect(EVENT_PATTERN.test(ok), ok).toBe(true);
    for (const bad of ['', '**', 'account.', 'Account.created', '*.created', 'account.*.x', 'a b']) expect(EVENT_PATTERN.test(bad), bad).toBe(false);
  });
});

describe('outbound addresses', () => {
  it('refuses loopback, private, link-local and special addresses, mapped IPv4 included', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '224.0.0.1']) {
      expect(refusedAddress(address), address).toBeDefined();
    }
    for (const address of ['93.184.215.14', '2606:4700::6810:84e5', '::ffff:93.184.215.14']) expect(refusedAddress(address), address).toBeUndefined();
  });

  it('does not post to loopback, by address or by a name resolving to it, unless private addresses are allowed', async () => {
    let hits = 0;
    const receiver = createServer((_req, res) => {
      hits += 1;
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    try {
      const byAddress = await postJson(`http://127.0.0.1:${port}/`, '{}', {}, { allowPrivate: false, timeoutMs: 2000 });
      expect(byAddress).toMatchObject({ ok: false, error: expect.stringContaining('127.0.0.1 is a loopback address') });
      const byName = await postJson(`http://localhost:${port}/`, '{}', {}, { allowPrivate: false, timeoutMs: 2000 });
      expect(byName).toMatchObject({ ok: false, error: expect.stringContaining('OUTBOUND_ALLOW_PRIVATE') });
      expect(hits).toBe(0);
      expect(await postJson(`http://localhost:${port}/`, '{}', {}, { allowPrivate: true, timeoutMs: 2000 })).toEqual({ ok: true, status: 204 });
      expect(hits).toBe(1);
    } finally {
      receiver.close();
    }
  });

  it('treats a redirect as a failure and gives up on a system that does not answer in time', async () => {
    const receiver = createServer((req, res) => {
      if (req.url === '/moved') res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end();
      // '/silent' never answers
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      expect(await postJson(`${base}/moved`, '{}', {}, { allowPrivate: true, timeoutMs: 2000 })).toEqual({ ok: false, status: 302, error: 'answered HTTP 302' });
      expect(await postJson(`${base}/silent`, '{}', {}, { allowPrivate: true, timeoutMs: 300 })).toEqual({ ok: false, error: 'no answer within 0.3 s' });
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });
});
