// oidc-provider writes a whole session back at the end of each request; a change Foyer made to that row
// meanwhile (a client forgotten by "Remove access", the session ended by a sign-out elsewhere) must survive
// that write, on PostgreSQL and PGlite. Driven through the real Provider's Session model and adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOidcModelQueries } from '../../../src/oidc/adapter.ts';
import { inProviderRequest } from '../../../src/oidc/session-writes.ts';
import { enterEmailAndPassword, newBrowser, throughPrompts } from '../../support/journey.ts';
import { createPasswordAccount } from '../../support/portal.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

const password = 'a long and unusual passphrase';
let server: TestServer;
let shop: RelyingParty;
let blog: RelyingParty;

beforeAll(async () => {
  server = await startTestServer();
  shop = await createRelyingParty(server, { clientId: 'shop' });
  blog = await createRelyingParty(server, { clientId: 'blog' });
});
afterAll(async () => server?.stop());

interface SessionRow { id: string; uid: string; payload: { authorizations?: Record<string, unknown>; loginTs?: number } }

/** Signs an account in to both apps in one browser (SSO for the second); returns its session row. */
async function sessionWithTwoApps(email: string): Promise<SessionRow> {
  const accountId = await createPasswordAccount(server, email, password);
  const browser = newBrowser();
  await throughPrompts(browser, await enterEmailAndPassword(browser, await browser.get((await shop.authorizationUrl()).url), email, password));
  await throughPrompts(browser, await browser.get((await blog.authorizationUrl()).url));
  const row = await server.services.db('oidc_models').where({ model: 'Session', account_id: accountId }).first() as SessionRow;
  expect(Object.keys(row.payload.authorizations ?? {}).sort()).toEqual(['blog', 'shop']);
  return row;
}

const current = (id: string) => server.services.db('oidc_models').where({ model: 'Session', id }).first() as Promise<SessionRow | undefined>;

describe('a session written back by a Provider request', () => {
  it('keeps a client forgotten while the request ran, and the request\'s own change', async () => {
    const row = await sessionWithTwoApps('ada@example.com');
    await inProviderRequest(async () => {
      const session = await server.host.current().Session.find(row.id);
      await createOidcModelQueries(server.services.db).forgetClientInSession(row.id, 'shop');
      session!.loginTs = 1_000_000;
      await session!.save(600);
    });
    const after = await current(row.id);
    expect(Object.keys(after!.payload.authorizations ?? {})).toEqual(['blog']);
    expect(after!.payload.loginTs).toBe(1_000_000);
  });

  it('does not bring back a session ended while the request ran', async () => {
    const row = await sessionWithTwoApps('bob@example.com');
    await inProviderRequest(async () => {
      const session = await server.host.current().Session.find(row.id);
      expect(await server.services.protocol.endSessionByUid(String((session as unknown as { accountId: string }).accountId), row.uid)).toBe(true);
      await session!.save(600);
    });
    expect(await current(row.id)).toBeUndefined();
  });

  // The Provider's sessions may lag a minute behind on their idle expiry (provider.ts): a returning customer's
  // sign-in saves the session only to move that expiry, and that save is not sent while the move is within it.
  describe('a save that only moves the idle expiry', () => {
    const exp = async (id: string) => {
      const row = await server.services.db('oidc_models').where({ model: 'Session', id }).first('payload', 'expires_at') as { payload: { exp: number }; expires_at: Date };
      return { exp: row.payload.exp, expiresAt: new Date(row.expires_at).getTime() };
    };
    /** Saves the session read in a Provider request with its expiry at `exp` (epoch seconds), `change` applied first. */
    const saveWithExpiry = (id: string, expAt: number, change?: (session: { loginTs?: number }) => void) => inProviderRequest(async () => {
      const session = await server.host.current().Session.find(id);
      change?.(session as unknown as { loginTs?: number });
      await session!.save(expAt - Math.floor(Date.now() / 1000));
    });

    it('is not written while the move is within the slack, and is once it is past it', async () => {
      const row = await sessionWithTwoApps('cy@example.com');
      const before = await exp(row.id);
      await saveWithExpiry(row.id, before.exp + 30);
      expect(await exp(row.id)).toEqual(before);
      await saveWithExpiry(row.id, before.exp + 120);
      const after = await exp(row.id);
      expect(after.exp).toBe(before.exp + 120);
      expect(after.expiresAt).toBeGreaterThan(before.expiresAt + 60_000);
    });

    it('is written when the expiry moves back, or when anything else changed', async () => {
      const row = await sessionWithTwoApps('di@example.com');
      const before = await exp(row.id);
      await saveWithExpiry(row.id, before.exp - 5);
      expect((await exp(row.id)).exp).toBe(before.exp - 5);
      await saveWithExpiry(row.id, before.exp, (session) => { session.loginTs = 1_000_000; });
      expect((await current(row.id))!.payload.loginTs).toBe(1_000_000);
      expect((await exp(row.id)).exp).toBe(before.exp);
    });
  });
});
