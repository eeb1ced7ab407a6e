// GET /metrics: Prometheus text with Foyer's counters (requests by route pattern, sign-ins, sign-ups, failures,
// throttles, token grants, webhook deliveries) and gauges (outbox depth, pool, argon2, process). Never public:
// a peer on this machine connecting directly reads it, anyone else only with METRICS_TOKEN; else 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRouter } from '../../../src/http/metrics.ts';
import { routerStatusFrom } from '../../support/fake-peer.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const TOKEN = 'metrics-token-for-the-scraper-0123456789abcdef';
const email = 'metered@example.com';
const password = 'a long and unusual passphrase';

let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  server = await startTestServer({ metrics: { token: TOKEN } });
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
});
afterAll(async () => server?.stop());

const scrape = async () => {
  const response = await fetch(`${server.url.replace('localhost', '127.0.0.1')}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

/** The value of one sample (`name{labels}` exactly as exposed), 0 when absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** The answer of /metrics to a GET from `remoteAddress`. */
const metricsFrom = (remoteAddress: string, headers: Record<string, string> = {}, options: { token?: string } = { token: TOKEN }) =>
  routerStatusFrom(createMetricsRouter({ metrics: server.services.metrics, token: options.token }), remoteAddress, '/metrics', headers);

describe('GET /metrics', () => {
  it('exposes the request, sign-in, token, outbox, pool, argon2 and process metrics', async () => {
    const text = await scrape();
    for (const name of [
      'foyer_http_request_duration_seconds', 'foyer_sign_ins_total', 'foyer_sign_ups_total', 'foyer_credential_failures_total', 'foyer_throttled_total',
      'foyer_token_grants_total', 'foyer_webhook_deliveries_total', 'foyer_outbox_depth', 'foyer_db_pool_connections', 'foyer_db_pool_max',
      'foyer_argon2_running', 'foyer_argon2_queued', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes',
    ]) expect(text, name).toContain(`# TYPE ${name} `);
    expect(sample(text, 'foyer_outbox_depth')).toBe(0);
    expect(sample(text, 'foyer_argon2_queued')).toBe(0);
    expect(sample(text, 'foyer_db_pool_max')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts a sign-up, a sign-in, the token grant and the requests by route pattern', async () => {
    const before = await scrape();
    const first = newBrowser();
    const start = await app.authorizationUrl();
    const signedUp = await consentIfAsked(first, await signUp(server, first, await first.get(start.url), email, password));
    expect(signedUp.url.startsWith(CALLBACK)).toBe(true);
    await app.exchange(signedUp.url, start);

    const again = newBrowser();
    const firstPage = await again.get((await app.authorizationUrl()).url);
    const uid = /\/interaction\/([\w-]+)/.exec(firstPage.url)![1]!;
    const signedIn = await consentIfAsked(again, await enterEmailAndPassword(again, firstPage, email, password));
    expect(signedIn.url.startsWith(CALLBACK)).toBe(true);

    const after = await scrape();
    const moved = (series: string) => sample(after, series) - sample(before, series);
    expect(moved('foyer_sign_ups_total{method="password"}')).toBe(1);
    expect(moved('foyer_sign_ins_total{method="pwd"}')).toBe(2);
    expect(moved('foyer_token_grants_total{grant_type="authorization_code",outcome="success"}')).toBe(1);
    expect(moved('foyer_http_request_duration_seconds_count{method="POST",route="/interaction/:uid/password",status="303"}')).toBe(1);
    expect(moved('foyer_http_request_duration_seconds_count{method="POST",route="/token",status="200"}')).toBe(1);
    expect(moved('foyer_http_request_duration_seconds_count{method="GET",route="/auth",status="303"}')).toBe(2);
    // Route patterns only: no interaction uid (nor any other raw path) becomes a label.
    expect(after).not.toContain(uid);
    for (const route of after.matchAll(/route="([^"]*)"/g)) expect(route[1]).toMatch(/^(unmatched|\/[\w/:.*-]*)$/);
  });

  it('counts failed passwords and the throttle that follows them, by method', async () => {
    const before = await scrape();
    const browser = newBrowser();
    let page = await browser.submit(await browser.get((await app.authorizationUrl()).url), '/identify', { email: 'nobody@example.com' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      page = await browser.submit(page, '/password', { password: `wrong guess ${i}` });
      statuses.push(page.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const after = await scrape();
    expect(sample(after, 'foyer_credential_failures_total{method="password"}') - sample(before, 'foyer_credential_failures_total{method="password"}')).toBe(5);
    expect(sample(after, 'foyer_throttled_total{method="password"}') - sample(before, 'foyer_throttled_total{method="password"}')).toBe(1);
  });

  it('answers a peer on this machine connecting directly, and anyone with the token; 404 to everyone else', async () => {
    expect(await metricsFrom('127.0.0.1')).toBe(200);
    expect(await metricsFrom('::ffff:127.0.0.1')).toBe(200);
    expect(await metricsFrom('192.0.2.10')).toBe(404);
    expect(await metricsFrom('fd00::10')).toBe(404);
    expect(await metricsFrom('192.0.2.10', { authorization: `Bearer ${TOKEN}` })).toBe(200);
    expect(await metricsFrom('192.0.2.10', { authorization: `Bearer ${TOKEN}x` })).toBe(404);
    expect(await metricsFrom('192.0.2.10', { authorization: 'Bearer short' })).toBe(404);
    expect(await metricsFrom('192.0.2.10', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` })).toBe(404);
    // Forwarded by a proxy on this machine: the socket is loopback, the request is not (headers are never trusted here).
    expect(await metricsFrom('127.0.0.1', { 'x-forwarded-for': '127.0.0.1' })).toBe(404);
    expect(await metricsFrom('127.0.0.1', { forwarded: 'for=127.0.0.1' })).toBe(404);
    expect(await metricsFrom('127.0.0.1', { 'x-forwarded-for': '192.0.2.10', authorization: `Bearer ${TOKEN}` })).toBe(200);
    // No token configured: nothing but a direct local peer reads it.
    expect(await metricsFrom('192.0.2.10', { authorization: `Bearer ${TOKEN}` }, {})).toBe(404);
  });

  it('answers over HTTP as the router does', async () => {
    const base = server.url.replace('localhost', '127.0.0.1');
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '192.0.2.10' } })).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '192.0.2.10', authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    expect((await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '192.0.2.10', authorization: 'Bearer wrong-token' } })).status).toBe(404);
  });
});
