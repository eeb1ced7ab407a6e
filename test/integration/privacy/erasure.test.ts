// Export and erasure end to end through a real sign-in: the export holds every table's rows of the
// customer (a table added later too) without secrets; an erasure request revokes at once and refuses
// sign-in with a way to cancel; after the grace period the purge leaves no trace in any column.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { PASSWORD, rowsPerAccountTable, signedUpCustomer, tracesOf } from './customer.ts';

let server: TestServer;
let rp: RelyingParty;
const EMAIL = 'marguerite.privacy@example.com';
const UPSTREAM_EMAIL = 'mq.upstream@elsewhere.example';
const GIVEN = 'Marguerite';
const FAMILY = 'Quillfeather';
const PHONE = '+33 6 12 34 56 78';
let customer: Awaited<ReturnType<typeof signedUpCustomer>>;
const DAY = 24 * 3600 * 1000;

beforeAll(async () => {
  server = await startTestServer({ privacy: { erasureGraceDays: 14 } });
  rp = await createRelyingParty(server, { clientId: 'shop', name: 'Shop', firstParty: true, scope: 'openid email profile phone' });
  // A table another part of Foyer could add later: export and erasure must cover it without code changes.
  await server.dbHandle.db.raw(`CREATE TABLE IF NOT EXISTS test_loyalty_cards (
    id text PRIMARY KEY, account_id uuid NOT NULL, holder_name text, created_at timestamptz NOT NULL DEFAULT now())`);
  customer = await signedUpCustomer(server, rp, EMAIL);
  const { db } = server.dbHandle;
  const account_id = customer.accountId;
  await db('profile_values').insert([
    { account_id, field: 'given_name', value: JSON.stringify(GIVEN), source: 'customer' },
    { account_id, field: 'family_name', value: JSON.stringify(FAMILY), source: 'social:acme' },
    { account_id, field: 'phone_number', value: JSON.stringify(PHONE), source: 'admin' },
  ]);
  await db('federated_identities').insert({ connector: 'acme', subject: 'upstream-subject-1', account_id, email: UPSTREAM_EMAIL });
  await db('totp_credentials').insert({ account_id, secret_encrypted: 'sealed:TOTPSEEDVALUE', confirmed_at: new Date() });
  await db('recovery_codes').insert({ account_id, code_hash: 'RECOVERYCODEHASH' });
  await db('test_loyalty_cards').insert({ id: 'card-1', account_id, holder_name: `${GIVEN} ${FAMILY}` });
  await db('dev_outbox').insert({ id: 'mail_test', recipient: EMAIL, subject: 'Your code', text_body: `Hello ${GIVEN}` });
  await server.services.events.emit({ type: 'profile.updated', accountId: account_id, data: { fields: ['given_name'], note: `by ${GIVEN}`, ip: '203.0.113.9' } });
});
afterAll(async () => server?.stop());

describe('the data export', () => {
  it('holds the rows of every table that has rows of the customer, a table added later included', async () => {
    const document = (await server.services.privacy.export.exportAccount(customer.accountId))!;
    const counts = await rowsPerAccountTable(server.dbHandle.db, customer.accountId);
    expect([...counts.keys()]).toEqual(expect.arrayContaining(['test_loyalty_cards', 'oidc_models', 'consent_records', 'profile_values', 'events', 'account_emails']));
    for (const [table, n] of counts) expect(document.tables[table], table).toHaveLength(n);
    expect(document.subject).toBe(customer.accountId);
    expect(document.profile).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'given_name', value: GIVEN, source: 'customer' }),
      expect.objectContaining({ field: 'family_name', value: FAMILY, source: 'social:acme' }),
    ]));
    expect(document.identifiers).toEqual([expect.objectContaining({ email: EMAIL })]);
    expect(document.linked_identities).toEqual([expect.objectContaining({ connector: 'acme', email: UPSTREAM_EMAIL })]);
    expect(document.credentials.password.set).toBe(true);
    expect(document.credentials.totp).toHaveLength(1);
    expect(document.grants.some((g) => g.client_id === 'shop')).toBe(true);
    expect(document.consent_ledger.length).toBeGreaterThan(0);
    expect(document.audit_events.map((e) => e.type)).toContain('profile.updated');
  });

  it('never carries a hash, a seed, a secret or a token value', async () => {
    const text = JSON.stringify(await server.services.privacy.export.exportAccount(customer.accountId));
    const { password_hash: hash } = await server.dbHandle.db('accounts').where({ id: customer.accountId }).first();
    for (const secret of [hash as string, 'TOTPSEEDVALUE', 'RECOVERYCODEHASH', customer.tokens.access_token, customer.tokens.refresh_token!]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/\$argon2/);
  });
});

describe('secrets inside JSON', () => {
  it('are left out of the export by what they are: no sealed v1~ value and no authenticator seed anywhere', async () => {
    const accountId = (await server.services.accounts.insertAccount({ email: 'enrolling@example.com', status: 'active', passwordHash: null, emailVerified: true })).id;
    // A pending authenticator: its seed sits sealed in a flow's context (flows.context.pendingSecret).
    const enrolment = await server.services.accountSecurity.startTotpEnrolment(accountId);
    if (enrolment.status !== 'ok') throw new Error('no enrolment');
    // Sealed values and an otpauth URI under keys that name no secret, nested in arrays and objects.
    await server.services.events.emit({ type: 'test.nested', accountId, data: { note: 'kept', deep: { link: enrolment.uri, list: ['kept too', server.services.box.encrypt('hidden', 'test')] } } });
    const document = (await server.services.privacy.export.exportAccount(accountId))!;
    const text = JSON.stringify(document);
    expect(text).not.toMatch(/v\d+~/);
    expect(text).not.toContain(enrolment.secret);
    expect(text).not.toContain('otpauth:');
    expect(document.tables.flows).toEqual([expect.objectContaining({ kind: 'account_totp', context: {} })]);
    const nested = document.audit_events.find((e) => e.type === 'test.nested')!;
    expect(nested.data).toEqual({ note: 'kept', deep: { list: ['kept too', null] } });
    expect(document.redacted_columns).toEqual(expect.arrayContaining(['flows.context.pendingSecret', 'events.data.deep.link', 'events.data.deep.list.1']));
  });
});

describe('an erasure request', () => {
  it('ends sessions and grants at once: the refresh token stops working, introspection says inactive', async () => {
    expect((await oidc.tokenIntrospection(rp.config, customer.tokens.access_token)).active).toBe(true);
    const status = await server.services.privacy.erasure.requestErasure(customer.accountId, { channel: 'test' });
    expect(status).toMatchObject({ state: 'pending', cancellable: true });
    if (status.state !== 'pending') throw new Error('not pending');
    expect(status.eraseAfter.getTime() - Date.now()).toBeGreaterThan(13 * DAY);
    await expect(oidc.refreshTokenGrant(rp.config, customer.tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    expect((await oidc.tokenIntrospection(rp.config, customer.tokens.access_token)).active).toBe(false);
    await expect(oidc.fetchUserInfo(rp.config, customer.tokens.access_token, customer.accountId)).rejects.toThrow();
    const events = await server.services.events.listEventsOfAccount(customer.accountId);
    expect(events.map((e) => e.type)).toContain('account.erasure_requested');
  });

  it('refuses sign-in with a clear message, only to the right password; "Cancel erasure" restores the account', async () => {
    const browser = newBrowser();
    const auth = await rp.authorizationUrl();
    const start = await browser.get(auth.url);
    const wrong = await enterEmailAndPassword(browser, start, EMAIL, 'not the right passphrase at all');
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Incorrect email or password.');
    expect(wrong.html).not.toContain('erase');
    const refused = await browser.submit(wrong, '/password', { password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(refused.html).toContain('This account is being erased');
    expect(refused.html).toContain('Cancel erasure');
    expect((await browser.submit(refused, '/erasure/cancel', {}, { omitCsrf: true })).status).toBe(403);
    const callback = await throughPrompts(browser, await browser.submit(refused, '/erasure/cancel', {}));
    expect(callback.url.startsWith(CALLBACK)).toBe(true);
    const tokens = await rp.exchange(callback.url, auth);
    expect(tokens.claims()!.sub).toBe(customer.accountId);
    expect((await server.services.accounts.findAccountById(customer.accountId))!.status).toBe('active');
    expect(await server.services.privacy.erasure.erasureStatus(customer.accountId)).toEqual({ state: 'none' });
    const events = await server.services.events.listEventsOfAccount(customer.accountId);
    expect(events.map((e) => e.type)).toContain('account.erasure_cancelled');
    customer = { ...customer, tokens };
  });
});

describe('the purge after the grace period', () => {
  it('waits for the grace period, then leaves no trace of the customer in any column of any table', async () => {
    const { db } = server.dbHandle;
    const { erasure } = server.services.privacy;
    const ledgerBefore = await db('consent_records').where({ account_id: customer.accountId }).count('* as n');
    await erasure.requestErasure(customer.accountId, { channel: 'test' });
    // A flow holding the email without the account (the remembered email of a sign-in attempt).
    await enterEmailAndPassword(newBrowser(), await newBrowser().get((await rp.authorizationUrl()).url), EMAIL, 'wrong guess for the flow').catch(() => undefined);
    expect(await erasure.purgeDueErasures(new Date())).toEqual([]);
    expect(await tracesOf(db, [EMAIL])).not.toEqual([]);
    expect(await erasure.purgeDueErasures(new Date(Date.now() + 15 * DAY))).toEqual([customer.accountId]);

    expect(await tracesOf(db, [EMAIL, GIVEN, FAMILY, PHONE, UPSTREAM_EMAIL, '203.0.113.9'])).toEqual([]);
    // The subject id stays only on the accounts row (so it is never reused) and the account.erased event.
    const subTraces = await tracesOf(db, [customer.accountId], ['text', 'character varying', 'json', 'jsonb', 'uuid']);
    expect(subTraces.sort()).toEqual([`accounts.id: ${customer.accountId}`, `events.account_id: ${customer.accountId}`]);
    const erased = await db('events').where({ account_id: customer.accountId });
    expect(erased.map((e) => [e.type, e.data])).toEqual([['account.erased', {}]]);

    const account = await db('accounts').where({ id: customer.accountId }).first();
    expect(account).toMatchObject({ status: 'erased', password_hash: null });
    expect(await rowsPerAccountTable(db, customer.accountId)).toEqual(new Map([['events', 1]]));
    // The ledger and the audit log keep what happened, under a tombstone subject that links to no one.
    const ledger = await db('consent_records').whereRaw('details @> ?', [JSON.stringify({ subject_erased: true })]);
    expect(ledger).toHaveLength(Number(ledgerBefore[0]!.n));
    expect(ledger.every((r) => r.ip === null && r.account_id !== customer.accountId)).toBe(true);
    const tombstone = ledger[0]!.account_id as string;
    const audit = await db('events').where({ account_id: tombstone });
    expect(audit.map((e) => e.type)).toEqual(expect.arrayContaining(['profile.updated', 'account.erasure_requested', 'account.erasure_cancelled']));
    expect(audit.every((e) => e.data.subject_erased === true)).toBe(true);
  });

  it('leaves an account no one can sign in to, and the email free for a new account with a new sub', async () => {
    const browser = newBrowser();
    const page = await enterEmailAndPassword(browser, await browser.get((await rp.authorizationUrl()).url), EMAIL, PASSWORD);
    expect(page.status).toBe(401);
    expect(page.html).toContain('Incorrect email or password.');
    expect((await server.services.accounts.listAccounts(100)).map((a) => a.id)).not.toContain(customer.accountId);
    server.smtp.mails.splice(0); // the first sign-up's code mail is still captured
    const again = await signedUpCustomer(server, rp, EMAIL);
    expect(again.accountId).not.toBe(customer.accountId);
  });
});
