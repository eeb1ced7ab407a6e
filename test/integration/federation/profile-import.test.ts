// What an upstream may copy into the profile: a page before the first import lists the fields (each can be
// unticked); values carry provenance social:<connector>; later sign-ins refresh only allowed fields and
// never a value the customer set themselves.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FormBrowser, Page } from '../../support/form-browser.ts';
import { throughPrompts } from '../../support/journey.ts';
import { CALLBACK, createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';
import { startAtUpstream, startUpstream, UPSTREAM_CLIENT, type Upstream, type UpstreamUser } from './upstream.ts';

let upstream: Upstream;
let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';
const users: Record<string, UpstreamUser> = {
  alice: { email: 'alice@social.example', email_verified: true, given_name: 'Alice', family_name: 'Liddell', birthdate: '1990-05-04', picture: 'https://img.example/alice.png', locale: 'en-GB' },
  carol: { email: 'carol@example.com', email_verified: true, given_name: 'Caroline', family_name: 'Herschel' },
  plain: { email: 'plain@social.example', email_verified: true },
};

beforeAll(async () => {
  upstream = await startUpstream(users);
  server = await startTestServer({
    outboundAllowPrivate: true,
    connectors: [{ id: 'social', kind: 'oidc', name: 'Social', issuer: upstream.issuer, clientId: UPSTREAM_CLIENT.id, clientSecret: UPSTREAM_CLIENT.secret, scopes: ['openid', 'email', 'profile'], enabled: true }],
  });
  upstream.register(`${server.url}/federation/callback`);
  app = await createRelyingParty(server, { clientId: 'app', name: 'App', scope: 'openid email profile' });
  const carol = await server.services.accounts.insertAccount({ email: 'carol@example.com', status: 'active', passwordHash: await server.services.hasher.hash(password), emailVerified: true });
  await server.dbHandle.db('profile_values').insert({ account_id: carol.id, field: 'given_name', value: JSON.stringify('Caz'), source: 'customer' });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await upstream?.close();
});

async function userinfoAfter(browser: FormBrowser, page: Page, auth: Awaited<ReturnType<RelyingParty['authorizationUrl']>>) {
  const callback = await throughPrompts(browser, page);
  expect(callback.url.startsWith(CALLBACK), callback.html.slice(0, 600)).toBe(true);
  const tokens = await app.exchange(callback.url, auth);
  return oidc.fetchUserInfo(app.config, tokens.access_token, tokens.claims()!.sub);
}

const profileRows = async (accountId: string) => Object.fromEntries(
  (await server.dbHandle.db('profile_values').where({ account_id: accountId }) as { field: string; value: unknown; source: string; updated_at: Date }[])
    .map((r) => [r.field, { value: r.value, source: r.source, updatedAt: new Date(r.updated_at) }]),
);

describe('the first sign-in through an upstream with profile fields', () => {
  it('lists what would be copied, copies only what stays ticked, and refreshes only that later', async () => {
    const before = Date.now();
    const { browser, auth, back } = await startAtUpstream(app, 'alice');
    expect(back.url).toContain('/federation/import');
    expect(back.html).toContain('Copy your details from Social?');
    for (const [field, label] of [['given_name', 'First name'], ['family_name', 'Last name'], ['birthdate', 'Date of birth'], ['picture', 'Profile picture'], ['locale', 'Language']]) {
      expect(back.html).toMatch(new RegExp(`<input id="import-${field}" name="${field}" type="checkbox" value="yes" checked>`));
      expect(back.html).toContain(`<label for="import-${field}">${label}:`);
    }
    expect(back.html).toMatch(/<button type="submit">Continue<\/button>/);
    // Without its CSRF field the choice is refused, and nothing is copied.
    expect((await browser.submit(back, '/federation/import', { given_name: 'yes' }, { omitCsrf: true })).status).toBe(403);

    // The customer unticks the date of birth.
    const chosen = await browser.submit(back, '/federation/import', { given_name: 'yes', family_name: 'yes', picture: 'yes', locale: 'yes' });
    const info = await userinfoAfter(browser, chosen, auth);
    expect(info).toMatchObject({ given_name: 'Alice', family_name: 'Liddell', name: 'Alice Liddell', picture: 'https://img.example/alice.png', locale: 'en-GB' });
    expect(info.birthdate).toBeUndefined();
    const rows = await profileRows(info.sub);
    expect(rows.given_name).toMatchObject({ value: 'Alice', source: 'social:social' });
    expect(rows.given_name!.updatedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(rows.birthdate).toBeUndefined();
    const [permission] = await server.dbHandle.db('federated_import_permissions').where({ account_id: info.sub, connector: 'social' });
    expect(permission.allowed_fields).toEqual(['given_name', 'family_name', 'picture', 'locale']);
    expect(await server.dbHandle.db('events').where({ type: 'profile.updated', account_id: info.sub })).toHaveLength(1);

    // Later sign-ins go straight through; the allowed fields follow the upstream, the unticked one never comes.
    users.alice = { ...users.alice, family_name: 'Hargreaves', birthdate: '1852-05-04' };
    const second = await startAtUpstream(app, 'alice');
    expect(second.back.url).not.toContain('/federation/import');
    const info2 = await userinfoAfter(second.browser, second.back, second.auth);
    expect(info2).toMatchObject({ sub: info.sub, family_name: 'Hargreaves' });
    expect(info2.birthdate).toBeUndefined();

    // A value the customer set themselves is never overwritten by a refresh.
    await server.dbHandle.db('profile_values').where({ account_id: info.sub, field: 'given_name' }).update({ value: JSON.stringify('Al'), source: 'customer' });
    users.alice = { ...users.alice, given_name: 'Alicia', family_name: 'Liddell' };
    const third = await startAtUpstream(app, 'alice');
    const info3 = await userinfoAfter(third.browser, third.back, third.auth);
    expect(info3).toMatchObject({ given_name: 'Al', family_name: 'Liddell' });
    expect((await profileRows(info.sub)).given_name).toMatchObject({ value: 'Al', source: 'customer' });
  });

  it('shows a value the customer set unticked beside the upstream one, and an empty choice copies nothing ever', async () => {
    const { browser, auth, back } = await startAtUpstream(app, 'carol');
    const importPage = await browser.submit(back, '/federation/link', { password });
    expect(importPage.url).toContain('/federation/import');
    expect(importPage.html).toMatch(/<input id="import-given_name" name="given_name" type="checkbox" value="yes">/);
    expect(importPage.html).toContain('(replaces Caz, which is in your profile now)');
    expect(importPage.html).toMatch(/<input id="import-family_name" name="family_name" type="checkbox" value="yes" checked>/);
    const info = await userinfoAfter(browser, await browser.submit(importPage, '/federation/import', { ignored_field: 'yes' }), auth);
    expect(info.given_name).toBe('Caz');
    expect(info.family_name).toBeUndefined();
    const again = await startAtUpstream(app, 'carol');
    expect(again.back.url).not.toContain('/federation/import');
    expect((await userinfoAfter(again.browser, again.back, again.auth)).family_name).toBeUndefined();
  });

  it('asks nothing when the upstream offers no profile field', async () => {
    const { back } = await startAtUpstream(app, 'plain');
    expect(back.url).not.toContain('/federation/import');
  });
});
