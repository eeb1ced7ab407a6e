// The operators' dashboard: sign-ins (every journey sign-in is an account.signed_in event) and sign-ups per
// day, lite → full upgrades per day (account.upgraded), adoption, profile completeness and consent per purpose —
// through the admin API and as the page's charts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { consentIfAsked, enterEmailAndPassword, newBrowser, signUp, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
let customer: string;
const password = 'a long and unusual passphrase';
const today = new Date().toISOString().slice(0, 10);
/** Today as the page writes it in English: through Intl, never as an ISO string. */
const todayInWords = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(today));

beforeAll(async () => {
  server = await startTestServer({ admin: { requireSecondFactor: false }, profile: { fields: [{ key: 'given_name', label: { en: 'First name' }, purpose: 'marketing' }] } } as never);
  app = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email profile' });
  // Sign up (a sign-in), then sign in again with the password in a new browser: two sign-ins today.
  const browser = newBrowser();
  const first = await throughPrompts(browser, await signUp(server, browser, await browser.get((await app.authorizationUrl()).url), 'dash@example.com', password));
  expect(first.url.startsWith(CALLBACK), first.html.slice(0, 300)).toBe(true);
  const again = newBrowser();
  const second = await consentIfAsked(again, await enterEmailAndPassword(again, await again.get((await app.authorizationUrl()).url), 'dash@example.com', password));
  expect(second.url.startsWith(CALLBACK)).toBe(true);
  customer = (await server.services.accounts.findAccountByEmail('dash@example.com'))!.id;
  await server.services.profileValues.upsertValue(customer, 'given_name', 'Dash', 'customer', null);
  await server.services.purposes.choose(customer, 'marketing', 'grant', { channel: 'account' });
  ({ call } = await createAdminApi(server));
});
afterAll(async () => server?.stop());

describe('the dashboard', () => {
  it('counts sign-ins and sign-ups per day, adoption, completeness and consent per purpose', async () => {
    const answer = await call('/dashboard?days=7');
    expect(answer.status).toBe(200);
    const body = answer.body as {
      sign_ins: { day: string; count: number }[]; sign_ups: { day: string; count: number }[]; accounts: number; with_second_factor: number;
      completeness: { field: string; accounts: number }[]; consent: { purpose: string; granted: number; withdrawn: number }[];
    };
    expect(body.sign_ins).toHaveLength(7);
    expect(body.sign_ins.at(-1)).toEqual({ day: today, count: 2 });
    expect(body.sign_ups.at(-1)).toEqual({ day: today, count: 1 });
    expect(body).toMatchObject({ accounts: 1, with_second_factor: 0 });
    expect(body.completeness).toEqual([expect.objectContaining({ field: 'given_name', accounts: 1 })]);
    expect(body.consent.find((c) => c.purpose === 'marketing')).toMatchObject({ granted: 1, withdrawn: 0 });
    expect((await call('/dashboard?days=400')).status).toBe(400);
    expect((await call('/dashboard', { token: null })).status).toBe(401);
  });

  it('each journey sign-in is in the audit log as account.signed_in, with its methods', async () => {
    const events = await server.services.db('events').where({ type: 'account.signed_in', account_id: customer }).select('data') as { data: { channel: string; methods: string[] } }[];
    expect(events).toHaveLength(2);
    expect(events.every((e) => e.data.channel === 'journey' && e.data.methods.includes('pwd'))).toBe(true);
  });

  it('draws the same numbers on /admin/dashboard', async () => {
    expect((await runCommand(['admins', 'add', 'dash@example.com', '--role', 'viewer'], { services: server.services })).exitCode).toBe(0);
    const browser = newBrowser();
    const start = await browser.get(`${server.url}/admin/dashboard`);
    const page = await throughPrompts(browser, await enterEmailAndPassword(browser, start, 'dash@example.com', password));
    expect(new URL(page.url).pathname).toBe('/admin/dashboard');
    expect(page.html).toContain('data-chart="sign-ins"');
    // Three sign-ins now: the admin pages' own sign-in counts too.
    expect(page.html).toContain(`<title>${todayInWords}: 3 sign-ins</title>`);
    expect(page.html).toContain(`<title>${todayInWords}: 1 sign-up</title>`);
    expect(page.html).toMatch(/data-field="given_name">[\s\S]*?100\.0 %/);
    expect(page.html).toMatch(/data-purpose="marketing">[\s\S]*?100\.0 %/);
    expect(page.html).not.toContain(`<td>${today}</td>`);
    expect((await browser.get(`${server.url}/admin/dashboard?days=0`)).status).toBe(400);
  });

  it('charts lite → full upgrades per day: a captured (lite) customer completing sign-up is one upgrade, recorded once', async () => {
    const lite = await server.services.accounts.insertAccount({ email: 'lite@example.com', status: 'lite', passwordHash: null, emailVerified: true });
    const browser = newBrowser();
    const done = await throughPrompts(browser, await signUp(server, browser, await browser.get((await app.authorizationUrl()).url), 'lite@example.com', password));
    expect(done.url.startsWith(CALLBACK), done.html.slice(0, 300)).toBe(true);
    expect((await server.services.accounts.findAccountById(lite.id))?.status).toBe('active');
    const upgraded = await server.services.db('events').where({ type: 'account.upgraded', account_id: lite.id }).select('data') as { data: { via: string } }[];
    expect(upgraded).toEqual([{ data: { via: 'sign_up' } }]);
    const body = (await call('/dashboard?days=7')).body as { upgrades: { day: string; count: number }[] };
    expect(body.upgrades).toHaveLength(7);
    expect(body.upgrades.at(-1)).toEqual({ day: today, count: 1 });
    expect(body.upgrades.slice(0, -1).every((d) => d.count === 0)).toBe(true);
  });

  it('upgrades a lite account once when completions race (only the call that changed it counts)', async () => {
    const lite = await server.services.accounts.insertAccount({ email: 'racer@example.com', status: 'lite', passwordHash: null, emailVerified: true });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => server.services.accounts.upgradeLite(lite.id)));
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await server.services.accounts.findAccountById(lite.id))?.status).toBe('active');
    expect(await server.services.accounts.upgradeLite(customer)).toBe(false); // a full account stays as it is
  });

  it('draws the upgrades on /admin/dashboard', async () => {
    const browser = newBrowser();
    const start = await browser.get(`${server.url}/admin/dashboard`);
    const page = await throughPrompts(browser, await enterEmailAndPassword(browser, start, 'dash@example.com', password));
    expect(page.html).toContain('data-chart="upgrades"');
    expect(page.html).toContain(`<title>${todayInWords}: 1 upgrade</title>`);
  });
});
