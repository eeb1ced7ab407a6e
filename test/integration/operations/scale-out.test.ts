// Two Foyer instances as operators deploy them: `npm start` processes behind haproxy (round robin, so the
// steps of one sign-in land on both), on PostgreSQL through pgbouncer in transaction pooling mode (no
// session state survives between transactions). The instances share FOYER_SECRET and the database, and
// nothing else: sign-in, SSO and refresh work across them, throttles are shared, a key rotation reaches
// both, and each webhook message is delivered once.
//
// PostgreSQL only (several processes cannot share an embedded database); needs haproxy and pgbouncer,
// skipped with a hint without them, except under CI=true where their absence fails the run.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingBalancerTools, startHaproxy, startPgbouncer, type RunningProcess } from '../../support/balancer.ts';
import { createPgDatabase, foyer, foyerJson, freePort, newSecret, removeDir, startServerProcess, tempDir, type FoyerEnv, type ServerProcess } from '../../support/cli.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { CALLBACK } from '../../support/relying-party.ts';
import type { ScratchDatabase } from '../../support/scratch.ts';
import { startWebhookReceiver } from '../../support/webhook-receiver.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);
const missing = onPostgres ? missingBalancerTools() : undefined;
if (missing && process.env.CI === 'true') throw new Error(`scale-out test: ${missing}`);
if (missing) console.warn(`skipping the scale-out test: ${missing}`);

const password = 'copper heron waits by the weir';

describe.skipIf(!onPostgres || missing !== undefined)('two instances behind haproxy, on pgbouncer in transaction mode', { timeout: 180_000 }, () => {
  let root: string;
  let database: ScratchDatabase;
  let bouncer: RunningProcess & { url: string };
  let balancer: RunningProcess;
  let instances: ServerProcess[] = [];
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let target: FoyerEnv;
  let issuer: string;
  let config: oidc.Configuration;

  beforeAll(async () => {
    root = tempDir('foyer-scale-');
    database = await createPgDatabase();
    receiver = await startWebhookReceiver();
    const configFile = join(root, 'foyer.json');
    // Rotated keys are looked for every second here (default 10 s), so the test waits little; a rotated-out
    // refresh token has no grace (default 10 s), so its reuse through the other instance is refused at once.
    writeFileSync(configFile, JSON.stringify({ keyRefreshSeconds: 1, tokens: { refreshReuseGraceSeconds: 0 } }));
    const balancerPort = await freePort();
    issuer = `http://127.0.0.1:${balancerPort}`;
    // Migrations run once, directly, before the instances start (as an operator's release step does).
    await foyerJson({ dataDir: root, databaseUrl: database.url }, ['migrate']);
    bouncer = await startPgbouncer(root, database.url);
    target = {
      dataDir: root, databaseUrl: bouncer.url, configFile, secret: newSecret(),
      extra: { ISSUER: issuer, TRUST_PROXY: '1', OUTBOUND_ALLOW_PRIVATE: 'true' },
    };
    instances = await Promise.all([startServerProcess(target), startServerProcess(target)]);
    balancer = await startHaproxy(root, balancerPort, instances.map((i) => i.port));

    const client = await foyerJson<{ client_secret: string }>(target, [
      'clients', 'add', '--client-id', 'shop', '--name', 'Shop', '--redirect-uri', CALLBACK, '--scope', 'openid email offline_access',
    ]);
    for (const email of ['ana@example.com', 'bo@example.com']) {
      await foyerJson(target, ['users', 'add', '--email', email, '--password-stdin', '--verified'], { stdin: `${password}\n` });
    }
    config = await oidc.discovery(new URL(issuer), 'shop', { client_secret: client.client_secret }, oidc.ClientSecretBasic(client.client_secret), { execute: [oidc.allowInsecureRequests] });
  });

  afterAll(async () => {
    await balancer?.stop();
    await Promise.all(instances.map((i) => i.stop()));
    await bouncer?.stop();
    await receiver?.close();
    await database?.drop();
    removeDir(root);
  });

  async function authorize(browser: ReturnType<typeof newBrowser>, scope = 'openid email offline_access') {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope, state, prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    return { page: await browser.get(url.href), exchange: (callbackUrl: string) => oidc.authorizationCodeGrant(config, new URL(callbackUrl), { pkceCodeVerifier: verifier, expectedState: state }) };
  }

  it('balances over both instances (each answers /readyz through the balancer)', async () => {
    const servedBy = new Set<string>();
    for (let i = 0; i < 6; i += 1) {
      const res = await fetch(`${issuer}/readyz`);
      expect(res.status).toBe(200);
      servedBy.add(res.headers.get('x-served-by') ?? '');
    }
    expect([...servedBy].sort()).toEqual(['foyer1', 'foyer2']);
  });

  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  const browser = newBrowser();

  it('signs in with the steps of one sign-in landing on both instances, then SSO without a credential', async () => {
    const { page, exchange } = await authorize(browser);
    const signedIn = await enterEmailAndPassword(browser, page, 'ana@example.com', password);
    const callback = await throughPrompts(browser, signedIn);
    expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 400)).toBe(true);
    tokens = await exchange(callback.url);
    expect(tokens.refresh_token).toBeTruthy();
    expect(await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).toMatchObject({ email: 'ana@example.com' });

    // The session written by one instance is read by the other: straight back to the app.
    for (let i = 0; i < 2; i += 1) {
      const again = await authorize(browser, 'openid email');
      const landed = await consentIfAsked(browser, again.page);
      expect(landed.url.startsWith(CALLBACK), `stopped at ${landed.url}`).toBe(true);
      expect((await again.exchange(landed.url)).claims()!.sub).toBe(tokens.claims()!.sub);
    }
  });

  it('rotates refresh tokens across instances: each rotation works once, the spent token is refused', async () => {
    const first = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(second.access_token).toBeTruthy();
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('shares the throttle: wrong passwords sent through both instances add up, and a forged X-Forwarded-For does not escape it', async () => {
    const attacker = newBrowser();
    for (let i = 0; i < 5; i += 1) {
      const { page } = await authorize(attacker);
      const passwordPage = await attacker.submit(page, '/identify', { email: 'bo@example.com' });
      const refused = await attacker.submit(passwordPage, '/password', { password: `wrong ${i} but long enough` });
      expect(refused.html).not.toContain('Too many attempts');
    }
    const forged = newBrowser();
    forged.headers = () => ({ 'x-forwarded-for': '203.0.113.9' });
    const { page } = await authorize(forged);
    const passwordPage = await forged.submit(page, '/identify', { email: 'bo@example.com' });
    const refused = await forged.submit(passwordPage, '/password', { password });
    expect(refused.html).toContain('Too many attempts');
  });

  it('a key rotation made with the foyer command reaches both instances', async () => {
    const before = await kidsOf(instances[0]!);
    const rotated = await foyer(target, ['keys', 'rotate', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const now = await Promise.all(instances.map(kidsOf));
      if (now.every((kids) => kids.some((kid) => !before.includes(kid)))) break;
      if (Date.now() > deadline) throw new Error(`the new key did not reach both instances: ${JSON.stringify(now)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  it('delivers each webhook message once, though both instances work the outbox', async () => {
    await foyerJson(target, ['webhooks', 'add', '--name', 'sink', '--url', receiver.url, '--event', 'account.erasure_requested']);
    const emails = Array.from({ length: 5 }, (_, i) => `leaving${i}@example.com`);
    for (const email of emails) {
      await foyerJson(target, ['users', 'add', '--email', email, '--password-stdin', '--verified'], { stdin: `${password}\n` });
      await foyerJson(target, ['users', 'erase', email]);
    }
    const created = () => receiver.received.filter((r) => r.message.type === 'account.erasure_requested');
    const deadline = Date.now() + 30_000;
    while (created().length < emails.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Give a duplicate time to show up, had one been sent.
    await new Promise((r) => setTimeout(r, 2000));
    const ids = created().map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(emails.length);
    expect(new Set(ids).size).toBe(emails.length);
  });
});

async function kidsOf(instance: ServerProcess): Promise<string[]> {
  const discovery = await (await fetch(`${instance.url}/.well-known/openid-configuration`)).json() as { jwks_uri: string };
  const jwks = await (await fetch(new URL(new URL(discovery.jwks_uri).pathname, instance.url))).json() as { keys: { kid: string }[] };
  return jwks.keys.map((k) => k.kid);
}
