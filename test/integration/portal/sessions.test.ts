// The sessions section: the account's signed-in browsers, signing one or all others out (their OIDC
// sessions and portal sessions end at once), and another account's session refused with 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormBrowser } from '../../support/form-browser.ts';
import { accessTokenFor, callAccountApi, createPasswordAccount, postForm, signInToAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let app: RelyingParty;
const password = 'a long and unusual passphrase';

beforeAll(async () => {
  server = await startTestServer();
  app = await createRelyingParty(server, { clientId: 'settings-app', name: 'Settings app', scope: 'openid email account' });
});
afterAll(async () => server?.stop());

const sessionUids = async (accountId: string) => (await server.services.protocol.listSessionsOfAccount(accountId)).map((s) => s.uid);

describe('sessions and devices', () => {
  it('lists every signed-in browser, signs one out, then every other one, keeping this one', async () => {
    const accountId = await createPasswordAccount(server, 'sess1@example.com', password);
    const mine = new FormBrowser();
    await signInToAccount(server, mine, 'sess1@example.com', password, '/account/sessions');
    const laptop = new FormBrowser();
    await signInToAccount(server, laptop, 'sess1@example.com', password, '/account/overview');
    const { browser: phone } = await accessTokenFor(app, 'sess1@example.com', password, 'openid email');
    expect(await sessionUids(accountId)).toHaveLength(3);

    let page = await mine.get(`${server.url}/account/sessions`);
    expect(page.html.match(/data-session="/g)).toHaveLength(3);
    expect(page.html.match(/this browser/g)).toHaveLength(1);
    expect(page.html).toContain('with password');
    expect(page.html).toContain('apps: Settings app');

    const current = (await server.services.db('portal_sessions').where({ account_id: accountId }).orderBy('created_at').first()).oidc_session_uid;
    const phoneSession = (await server.services.protocol.listSessionsOfAccount(accountId)).find((s) => s.clientIds.includes('settings-app'))!;
    page = await mine.submit(page, `/account/sessions/${phoneSession.uid}/end`, {});
    expect(page.html).toContain('That session was signed out');
    expect(await sessionUids(accountId)).not.toContain(phoneSession.uid);
    // The phone's next sign-in to the app asks for the email again: its SSO session is gone.
    const again = await phone.get((await app.authorizationUrl({ scope: 'openid email' })).url);
    expect(again.html).toContain('name="email"');

    page = await mine.submit(page, '/account/sessions/others/end', {});
    expect(page.html).toContain('Every other session was signed out');
    expect(await sessionUids(accountId)).toEqual([current]);
    const laptopPage = await laptop.get(`${server.url}/account/overview`);
    expect(laptopPage.html).toContain('name="email"'); // its portal session ended with its OIDC session
    expect((await mine.get(`${server.url}/account/overview`)).html).toContain('sess1@example.com');
    expect((await server.services.events.listEventsOfAccount(accountId)).map((e) => e.type)).toEqual(expect.arrayContaining(['session.ended', 'session.ended_others']));
  });

  it("refuses another account's session (404), and its own browser's session (that is Sign out)", async () => {
    const victim = await createPasswordAccount(server, 'sess2@example.com', password);
    await signInToAccount(server, new FormBrowser(), 'sess2@example.com', password);
    const [victimUid] = await sessionUids(victim);
    const attackerId = await createPasswordAccount(server, 'sess3@example.com', password);
    const attacker = new FormBrowser();
    const page = await signInToAccount(server, attacker, 'sess3@example.com', password, '/account/sessions');
    expect((await postForm(server, attacker, page, `/account/sessions/${victimUid}/end`)).status).toBe(404);
    const [ownUid] = await sessionUids(attackerId);
    expect((await postForm(server, attacker, page, `/account/sessions/${ownUid}/end`)).status).toBe(404);
    expect(await sessionUids(victim)).toEqual([victimUid]);

    const { accessToken } = await accessTokenFor(app, 'sess3@example.com', password, 'openid account');
    expect((await callAccountApi(server, `/sessions/${victimUid}`, accessToken, { method: 'DELETE' })).status).toBe(404);
    expect(await sessionUids(victim)).toEqual([victimUid]);
  });

  it('the API lists sessions (the token’s own marked current) and ends the others', async () => {
    const accountId = await createPasswordAccount(server, 'sess4@example.com', password);
    await signInToAccount(server, new FormBrowser(), 'sess4@example.com', password);
    const { accessToken } = await accessTokenFor(app, 'sess4@example.com', password, 'openid account');
    const listed = await callAccountApi(server, '/sessions', accessToken);
    const sessions = listed.json.sessions as { id: string; current: boolean; amr: string[]; apps: string[] }[];
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toEqual([expect.objectContaining({ apps: ['settings-app'], amr: ['pwd'] })]);
    expect((await callAccountApi(server, '/sessions/others/end', accessToken, { method: 'POST' })).json).toEqual({ ended: 1 });
    expect(await sessionUids(accountId)).toEqual([sessions.find((s) => s.current)!.id]);
  });
});
