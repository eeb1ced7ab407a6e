// The admin API's customers (/admin/api/customers) through the real HTTP surface: 401 without a valid token,
// 403 insufficient_scope (problem+json, with a challenge) for an admin:read token that tries to act; search
// with filters and paging; a customer's whole picture without a secret; and the actions: disable (the next
// password sign-in refused, the refresh token dead), enable, unlock, reset the second factor (a mail),
// revoke an app, erase — each audited with the API client as actor.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCaller, adminResourceOf, createAdminApi } from '../../support/admin-api.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const PASSWORD = 'a long and unusual passphrase';
const EMAIL = 'carla.customer@example.com';
const OFFLINE = { scope: 'openid email offline_access', prompt: 'consent' };
let server: TestServer;
let shop: RelyingParty;
let call: Awaited<ReturnType<typeof createAdminApi>>['call'];
let read: ReturnType<typeof adminCaller>;
let customerId: string;

/** Signs in to the shop with the password; the journey's last page (the callback, or the refusal). */
async function signIn(password = PASSWORD) {
  const browser = newBrowser();
  const auth = await shop.authorizationUrl(OFFLINE);
  const page = await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get(auth.url), EMAIL, password));
  return { page, tokens: page.url.startsWith(CALLBACK) ? await shop.exchange(page.url, auth) : undefined };
}

beforeAll(async () => {
  server = await startTestServer({ throttle: { emailAddressFailures: 3 }, profile: { fields: [{ key: 'given_name', label: { en: 'First name' }, purpose: 'marketing' }] } } as never);
  shop = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', scope: 'openid email profile offline_access' });
  ({ call } = await createAdminApi(server));
  const reader = await createRelyingParty(server, { clientId: 'reader', name: 'Reports', grantTypes: ['client_credentials'], redirectUris: [], scope: 'admin:read' });
  const readToken = (await oidc.clientCredentialsGrant(reader.config, { scope: 'admin:read', resource: adminResourceOf(server) })).access_token;
  read = adminCaller(() => server.url, () => readToken);
  customerId = await createPasswordAccount(server, EMAIL, PASSWORD);
  await server.services.profileValues.upsertValue(customerId, 'given_name', 'Carla', 'admin', null);
  for (let i = 0; i < 3; i++) await createPasswordAccount(server, `other${i}@example.com`, PASSWORD);
});
afterAll(async () => server?.stop());

describe('access to /admin/api/customers', () => {
  it('answers 401 without a token or with a bad one, as problem+json with a challenge', async () => {
    for (const token of [null, 'not-a-token']) {
      const res = await call('/customers', { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.headers.get('www-authenticate')).toContain('scope="admin"');
      expect(res.body).toMatchObject({ status: 401, error: 'invalid_token', title: 'Unauthorized' });
    }
  });

  it('lets admin:read read, and answers it 403 insufficient_scope for an action (nothing changes)', async () => {
    expect((await read('/customers')).status).toBe(200);
    expect((await read(`/customers/${customerId}`)).status).toBe(200);
    expect((await read('/audit')).status).toBe(200);
    const refused = await read(`/customers/${customerId}/disable`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope", scope="admin"');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 403, error: 'insufficient_scope', detail: expect.stringContaining('admin:read only reads') });
    expect((await server.services.accounts.findAccountById(customerId))!.status).toBe('active');
  });

  it('describes the customer endpoints in the OpenAPI document', async () => {
    const doc = await (await fetch(`${server.url}/admin/api/openapi.json`)).json() as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    for (const path of ['/customers', '/customers/{id}', '/customers/{id}/disable', '/customers/{id}/revoke-app', '/customers/{id}/erase', '/audit']) expect(doc.paths).toHaveProperty(path);
    expect(doc.components.schemas).toHaveProperty('Problem');
  });
});

describe('finding customers', () => {
  it('finds by email, name or sub, stamps the last sign-in, and filters', async () => {
    const first = await signIn();
    expect(first.tokens, `${first.page.url} ${first.page.html.slice(0, 3000)}`).toBeDefined();
    const byEmail = await call('/customers?q=CARLA.customer');
    expect((byEmail.body!.customers as { id: string }[]).map((c) => c.id)).toEqual([customerId]);
    expect(byEmail.body!.customers).toEqual([expect.objectContaining({ email: EMAIL, name: 'Carla', status: 'active', has_mfa: false, has_passkey: false, last_sign_in_at: expect.any(String) })]);
    expect(((await call('/customers?q=carla')).body!.customers as unknown[]).length).toBe(1);
    expect(((await call(`/customers?q=${customerId}`)).body!.customers as unknown[]).length).toBe(1);
    expect(((await call('/customers?q=100%25')).body!.customers as unknown[]).length).toBe(0);
    const signedIn = await call(`/customers?last_sign_in_from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
    expect((signedIn.body!.customers as { id: string }[]).map((c) => c.id)).toEqual([customerId]);
    expect(((await call('/customers?status=disabled')).body!.customers as unknown[]).length).toBe(0);
    expect(((await call('/customers?has_mfa=true')).body!.customers as unknown[]).length).toBe(0);
    expect(((await call('/customers?has_passkey=false&created_to=2000-01-01')).body!.customers as unknown[]).length).toBe(0);
  });

  it('pages with limit and cursor, every customer once', async () => {
    const seen: string[] = [];
    let next: string | null = null;
    do {
      const page = await call(`/customers?limit=2${next ? `&cursor=${next}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...(page.body!.customers as { id: string }[]).map((c) => c.id));
      next = page.body!.next as string | null;
    } while (next);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
  });

  it('refuses bad filters with a 400 naming the parameter', async () => {
    for (const [query, name] of [['status=gone', 'status'], ['limit=0', 'limit'], ['created_from=yesterday', 'created_from'], ['cursor=abc', 'cursor'], ['has_mfa=maybe', 'has_mfa']]) {
      const res = await call(`/customers?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(String(res.body!.detail)).toContain(name);
    }
    expect((await call('/customers/not-a-sub')).status).toBe(404);
    expect((await call('/customers/00000000-0000-4000-8000-000000000000')).body).toMatchObject({ status: 404, error: 'customer.not_found' });
  });

  it('shows a customer: addresses, profile with provenance, methods without secrets, apps and sessions, consents, events', async () => {
    const res = await call(`/customers/${customerId}`);
    expect(res.status).toBe(200);
    const view = res.body!;
    expect(view).toMatchObject({
      id: customerId, email: EMAIL, status: 'active', emails: [{ email: EMAIL, primary: true, verified: true }],
      // Held for Marketing, not consented to: the release rule's verdict is part of the view.
      profile: [{ field: 'given_name', value: 'Carla', source: 'admin', purpose: 'marketing', legal_basis: 'consent', released: false, reason: 'no_consent' }],
      sign_in_methods: { password: { set: true }, passkeys: [], authenticator_app: { enrolled: false } },
      apps: [expect.objectContaining({ client_id: 'shop', live_grant: true })],
      consents: expect.arrayContaining([expect.objectContaining({ purpose: 'marketing' })]),
    });
    expect((view.sessions as unknown[]).length).toBeGreaterThan(0);
    expect(JSON.stringify(view)).not.toContain('$argon2');
  });
});

describe('acting on a customer', () => {
  it('disables: the next password sign-in is refused and the refresh token gets invalid_grant; enable restores', async () => {
    const { tokens } = await signIn();
    const disabled = await call(`/customers/${customerId}/disable`, { method: 'POST' });
    expect(disabled.status).toBe(200);
    expect((await server.services.accounts.findAccountById(customerId))!.status).toBe('disabled');
    await expect(oidc.refreshTokenGrant(shop.config, tokens!.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const refused = await signIn();
    expect(refused.tokens).toBeUndefined();
    expect(refused.page.html).toContain('Incorrect email or password.');
    expect(((await call('/customers?status=disabled')).body!.customers as { id: string }[]).map((c) => c.id)).toEqual([customerId]);

    expect((await call(`/customers/${customerId}/enable`, { method: 'POST' })).body).toMatchObject({ result: { status: 'active' } });
    const back = await signIn();
    expect(back.tokens?.refresh_token).toBeTruthy();
    expect((await oidc.refreshTokenGrant(shop.config, back.tokens!.refresh_token!)).access_token).toBeTruthy();
  });

  it('unlocks a throttled sign-in', async () => {
    for (let i = 0; i < 3; i++) await signIn('a wrong passphrase entirely');
    expect((await signIn()).page.html).toContain('Too many attempts');
    const unlocked = await call(`/customers/${customerId}/unlock`, { method: 'POST' });
    expect(unlocked.status).toBe(200);
    expect((await signIn()).tokens).toBeDefined();
  });

  it('resets the second factor and mails the customer', async () => {
    await server.services.accountSecurity.setMfaEnabled(customerId, true);
    expect(((await call('/customers?has_mfa=true')).body!.customers as unknown[]).length).toBe(1);
    expect((await call(`/customers/${customerId}/reset-second-factor`, { method: 'POST' })).status).toBe(200);
    const mail = await server.smtp.waitForMail(EMAIL, (m) => m.subject.includes('second step'));
    expect(mail.text).toContain('reset the second step');
    expect(((await call('/customers?has_mfa=true')).body!.customers as unknown[]).length).toBe(0);
  });

  it('mails a password-reset invitation, and refuses to resend verification to a verified address', async () => {
    expect((await call(`/customers/${customerId}/send-password-reset`, { method: 'POST' })).status).toBe(200);
    const mail = await server.smtp.waitForMail(EMAIL, (m) => m.subject.includes('new password'));
    expect(mail.text).toContain(`${server.url}/account`);
    expect((await call(`/customers/${customerId}/resend-verification`, { method: 'POST' })).body).toMatchObject({ status: 409, error: 'customer.already_verified' });
  });

  it('revokes one app: its refresh token dies and it is gone from the customer\'s apps', async () => {
    const { tokens } = await signIn();
    expect((await call(`/customers/${customerId}/revoke-app`, { method: 'POST', body: { client_id: 'nowhere' } })).status).toBe(404);
    expect((await call(`/customers/${customerId}/revoke-app`, { method: 'POST', body: {} })).status).toBe(400);
    expect((await call(`/customers/${customerId}/revoke-app`, { method: 'POST', body: { client_id: 'shop' } })).status).toBe(200);
    await expect(oidc.refreshTokenGrant(shop.config, tokens!.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await call(`/customers/${customerId}`)).body!.apps).toEqual([]);
  });

  it('signs out everywhere, and audits every action with the API client as actor', async () => {
    const { tokens } = await signIn();
    expect((await call(`/customers/${customerId}/sign-out-everywhere`, { method: 'POST' })).status).toBe(200);
    await expect(oidc.refreshTokenGrant(shop.config, tokens!.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const audit = await call(`/audit?actor=client:ops&target=${customerId}&type=admin.changed&limit=200`);
    const changes = audit.body!.events as { data: { route: string; action?: string } }[];
    expect(changes.length).toBeGreaterThanOrEqual(7);
    expect(new Set(changes.map((e) => e.data.route))).toEqual(new Set(['/admin/api/customers/:id/:action']));
    const types = ((await call(`/audit?actor=client:ops&target=${customerId}&limit=200`)).body!.events as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['account.disabled', 'account.enabled', 'account.unlocked', 'mfa.reset', 'account.password_reset_mailed', 'client.access_revoked', 'session.signed_out_everywhere']));
  });

  it('erases with the grace period: the account is disabled and waits; an unknown action is a 404', async () => {
    expect((await call(`/customers/${customerId}/explode`, { method: 'POST' })).body).toMatchObject({ status: 404, error: 'customer.no_such_action' });
    const erased = await call(`/customers/${customerId}/erase`, { method: 'POST' });
    expect(erased.body).toMatchObject({ result: { erase_after: expect.any(String) } });
    const view = (await call(`/customers/${customerId}`)).body!;
    expect(view).toMatchObject({ status: 'disabled', erase_after: expect.any(String) });
    expect((await call(`/customers/${customerId}/enable`, { method: 'POST' })).body).toMatchObject({ status: 409, error: 'customer.erasure_pending' });
  });
});
