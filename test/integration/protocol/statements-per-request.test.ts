// Statements per request of the password sign-in and of the returning customer's sign-in (SSO). On loopback
// each statement costs its round trip in CPU, so these counts are what the bench's sign-in rates follow; the
// expectations lock in what was cut (docs/contributors/testing.md, "Bench"). Every statement a request causes
// is counted, those that run after its response included; background loops are left out, and so are the
// refreshes of the per-instance read caches (clients, brands, grants: a few seconds each), which a request
// sends or not depending on when the entry was last read.
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterEmailAndPassword, newBrowser, signUp, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

interface Traced { label: string; statements: string[] }

let server: TestServer;
let app: RelyingParty;
const email = 'regular@example.com';
const password = 'a long and unusual passphrase';
const requests = new AsyncLocalStorage<Traced>();
let traced: Traced[] = [];

// The request's own async context: everything it awaits (and leaves running) carries its record.
const onRequest = (message: unknown) => {
  const req = (message as { request: IncomingMessage }).request;
  const path = new URL(req.url ?? '/', 'http://x').pathname
    .replace(/^\/interaction\/[^/]+/, '/interaction/:uid')
    .replace(/^\/auth\/[^/]+/, '/auth/:uid');
  const record: Traced = { label: `${req.method} ${path}`, statements: [] };
  traced.push(record);
  requests.enterWith(record);
};
const CACHED_TABLES = /^select (?:\*|.*?) from "?(clients|brands|brand_clients|brand_templates|resources|connectors)"?\b/i;
const cacheRefresh = (query: { sql: string; bindings?: unknown[] }) =>
  CACHED_TABLES.test(query.sql) || (/^SELECT payload, consumed_at FROM oidc_models WHERE model = \$1 AND id = \$2/.test(query.sql) && query.bindings?.[0] === 'Grant');
const onQuery = (query: { sql: string; bindings?: unknown[] }) => {
  if (!cacheRefresh(query)) requests.getStore()?.statements.push(query.sql);
};

beforeAll(async () => {
  server = await startTestServer();
  // As the bench's web app: first-party, confidential, openid email.
  app = await createRelyingParty(server, { clientId: 'web', name: 'Web', firstParty: true, scope: 'openid email' });
  subscribe('http.server.request.start', onRequest);
  server.dbHandle.db.on('query', onQuery);
});
afterAll(async () => {
  unsubscribe('http.server.request.start', onRequest);
  server?.dbHandle.db.removeListener('query', onQuery);
  await server?.stop();
});

/** Runs `walk`, waits until the statements left running after the responses are done, and returns the counts. */
async function counted(walk: () => Promise<void>): Promise<Traced[]> {
  traced = [];
  await walk();
  let total = -1;
  while (total !== traced.reduce((n, r) => n + r.statements.length, 0)) {
    total = traced.reduce((n, r) => n + r.statements.length, 0);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  if (process.env.STATEMENTS_DUMP) (await import('node:fs')).appendFileSync(process.env.STATEMENTS_DUMP, traced.map((r) => `## ${r.label}\n${r.statements.map((q) => `  - ${q.replace(/\s+/g, ' ')}`).join('\n')}`).join('\n') + '\n\n');
  return traced;
}

const table = (records: Traced[]) => records.map((r) => `${r.label}: ${r.statements.length}`);
const sum = (records: Traced[]) => records.reduce((n, r) => n + r.statements.length, 0);

async function signInFromFreshBrowser() {
  const browser = newBrowser();
  const { url, ...expected } = await app.authorizationUrl({ scope: 'openid email' });
  const page = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(url), email, password));
  expect(page.url.startsWith(CALLBACK), page.html.slice(0, 300)).toBe(true);
  await app.exchange(page.url, expected);
  return browser;
}

describe('statements per request', () => {
  let browser: ReturnType<typeof newBrowser>;

  beforeAll(async () => {
    // The account, its first device and its terms accepted: what a returning customer has.
    const first = newBrowser();
    const { url, ...expected } = await app.authorizationUrl({ scope: 'openid email' });
    const page = await throughPrompts(first, await signUp(server, first, await first.get(url), email, password));
    await app.exchange(page.url, expected);
  });

  it('a password sign-in from a fresh browser (authorize → pages → code → token)', async () => {
    const records = await counted(async () => { browser = await signInFromFreshBrowser(); });
    // Before the third round (docs/contributors/testing.md): 1, 3, 3, 2, 12, 9, 7 = 37; before the SSO round, 27 (the
    // password page behind a redirect from identify: GET /interaction/:uid/password, 2 more).
    expect(table(records)).toEqual([
      'GET /auth: 1', // the interaction
      'GET /interaction/:uid: 2', // the interaction, the login flow (a remembered email)
      'POST /interaction/:uid/identify: 2', // the interaction, the login flow started; the password page in the answer
      // the interaction, the login flow, the attempt reserved, the account, the attempt settled, the sign-in stamped
      // (with the restriction flag), its event, the interaction's result, the device (with the mail's address)
      'POST /interaction/:uid/password: 9',
      // the interaction read and ended, the account (with the last visit), consent and pending documents, the
      // grant, the session and the code written
      'GET /auth/:uid: 7',
      'POST /token: 3', // the code with its session and its account with the purposes, the code consumed, the tokens in one write (token-statements.test.ts)
    ]);
    expect(sum(records)).toBe(24);
  });

  it('the same customer at the same app again, with the session of that browser (SSO)', async () => {
    const records = await counted(async () => {
      const { url, ...expected } = await app.authorizationUrl({ scope: 'openid email' });
      const page = await browser.get(url);
      expect(page.url.startsWith(CALLBACK), page.html.slice(0, 300)).toBe(true);
      await app.exchange(page.url, expected);
    });
    // Before: 7 + 7 = 14, then 5 + 4 = 9. The session, the account (with the last visit), consent and pending
    // documents, the code; the session is not written again only to move its idle expiry by less than a minute.
    expect(table(records)).toEqual(['GET /auth: 4', 'POST /token: 3']);
    expect(sum(records)).toBe(7);
  });
});
