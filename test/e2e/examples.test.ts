// examples/ against a started Foyer: the relying web app (its own process, as a developer runs it) signs a new
// customer up with code + PKCE, refreshes and signs out; the webhook receiver verifies the signed consent events
// that sign-up sends; the receipt verifier (as docs/apps/receipts.md runs it) checks a receipt of that customer.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands.ts';
import { startWebhookReceiver, verifyWebhook, type FoyerEvent } from '../../examples/webhook-receiver.ts';
import { verifyReceipt } from '../../examples/receipt-verifier.ts';
import { freePort, NODE, projectRoot } from '../support/cli.ts';
import { FormBrowser } from '../support/form-browser.ts';
import { signUp, throughPrompts } from '../support/journey.ts';
import { startTestServer, type TestServer } from '../support/test-server.ts';

let server: TestServer;
let app: ChildProcess | undefined;
let appUrl: string;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let webhookSecret: string;
const events: FoyerEvent[] = [];

async function foyer(...argv: string[]): Promise<Record<string, unknown>> {
  const result = await runCommand([...argv, '--json'], { services: server.services });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Runs `node examples/<file> ARGS` in the project folder; resolves with its output once `until` matches it (or it exits). */
function runExample(file: string, args: string[], env: Record<string, string>, until?: RegExp): Promise<{ child: ChildProcess; output: string; code?: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [`examples/${file}`, ...args], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const seen = (chunk: string) => {
      output += chunk;
      if (until?.test(output)) resolve({ child, output });
    };
    child.stdout!.setEncoding('utf8').on('data', seen);
    child.stderr!.setEncoding('utf8').on('data', seen);
    child.on('error', reject);
    child.on('exit', (code) => resolve({ child, output, code }));
  });
}

beforeAll(async () => {
  // Webhooks to this machine need OUTBOUND_ALLOW_PRIVATE; a short poll keeps the test quick.
  server = await startTestServer({ outboundAllowPrivate: true, webhooks: { pollMilliseconds: 100 } });
  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  const client = await foyer('clients', 'add', '--client-id', 'example-app', '--redirect-uri', `${appUrl}/callback`,
    '--post-logout-redirect-uri', `${appUrl}/`, '--scope', 'openid email profile offline_access');
  const started = await runExample('relying-app.ts', [], {
    ISSUER: server.url, CLIENT_ID: 'example-app', CLIENT_SECRET: String(client.client_secret), PORT: String(port), BASE_URL: appUrl,
  }, /listening on/);
  if (started.code !== undefined) throw new Error(`the example app stopped: ${started.output}`);
  app = started.child;

  // The receiver needs the secret that registering prints, and registering needs the receiver's URL: pick its port first.
  const hookPort = await freePort();
  const hook = await foyer('webhooks', 'add', '--name', 'Example receiver', '--url', `http://127.0.0.1:${hookPort}/hooks/foyer`, '--event', 'consent.*');
  webhookSecret = String(hook.secret);
  receiver = await startWebhookReceiver({ secret: webhookSecret, port: hookPort, onEvent: (event) => events.push(event) });
});

afterAll(async () => {
  app?.kill();
  receiver?.server.close();
  await server?.stop();
});

describe('examples/', () => {
  it('relying-app.ts signs up with code + PKCE, refreshes its tokens and signs out', async () => {
    const browser = new FormBrowser();
    const home = await browser.get(`${appUrl}/`);
    expect(home.html).toContain('Sign in');
    let page = await signUp(server, browser, await browser.get(`${appUrl}/login`), 'example@example.com', 'correct horse battery staple 7');
    page = await throughPrompts(browser, page);
    expect(page.url).toBe(`${appUrl}/`);
    expect(page.html).toContain('&#34;email&#34;: &#34;example@example.com&#34;');
    expect(page.html).toContain('Tokens refreshed 0 times.');

    page = await browser.get(`${appUrl}/refresh`);
    expect(page.html).toContain('Tokens refreshed 1 times.');
    page = await browser.get(`${appUrl}/refresh`);
    expect(page.html).toContain('Tokens refreshed 2 times.');

    const confirm = await browser.get(`${appUrl}/logout`);
    expect(confirm.html).toContain('Sign out');
    const done = await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(done.url).toBe(`${appUrl}/`);
    expect(done.html).toContain('href="/login"');
  });

  it('webhook-receiver.ts accepts the signed consent.granted event and refuses a forged one', async () => {
    for (let i = 0; i < 200 && !events.some((e) => e.type === 'consent.granted'); i += 1) await new Promise((r) => setTimeout(r, 50));
    const granted = events.find((e) => e.type === 'consent.granted');
    expect(granted?.data.sub).toEqual(expect.any(String));
    const body = JSON.stringify(granted);
    const headers = { 'webhook-id': 'evt_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' };
    expect(verifyWebhook(webhookSecret, headers, body)).toEqual({ ok: false, reason: 'bad signature' });
    const answer = await fetch(receiver.url, { method: 'POST', headers, body });
    expect(answer.status).toBe(401);
  });

  it('receipt-verifier.ts verifies a consent receipt of that customer, and refuses an altered one', async () => {
    const account = await server.services.accounts.findAccountByEmail('example@example.com');
    const [record] = await server.services.consent.history(account!.id);
    const receipt = await server.services.receipts.receiptFor(account!.id, record!.id);
    // As docs/apps/receipts.md shows it: node examples/receipt-verifier.ts ISSUER RECEIPT
    const run = await runExample('receipt-verifier.ts', [server.url, receipt!], {});
    expect(run.code).toBe(0);
    expect(JSON.parse(run.output)).toMatchObject({ consentReceiptID: record!.id, piiPrincipalId: account!.id });
    const [header, payload, signature] = receipt!.split('.');
    const altered = Buffer.from(payload!, 'base64url').toString('utf8').replace(account!.id, 'someone-else');
    await expect(verifyReceipt(server.url, `${header}.${Buffer.from(altered).toString('base64url')}.${signature}`)).rejects.toThrow();
  });
});
