// A social-login connector cannot point Foyer at an internal host: without OUTBOUND_ALLOW_PRIVATE, its
// discovery (and so its token, userinfo and JWKS calls) to a loopback or private address is refused before
// anything is sent; the sign-in page says the service cannot be reached and email sign-in still works.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBrowser } from '../../support/journey.ts';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let internal: Server;
let hits = 0;
let server: TestServer;
let app: RelyingParty;

beforeAll(async () => {
  // An internal service on this machine: it must never hear from Foyer.
  internal = createServer((_req, res) => {
    hits += 1;
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
  const port = (internal.address() as AddressInfo).port;
  const connector = (id: string, issuer: string) => ({ id, kind: 'oidc', name: id, issuer, clientId: 'foyer', clientSecret: 'x', scopes: ['openid', 'email'], enabled: true });
  server = await startTestServer({ connectors: [connector('literal', `http://127.0.0.1:${port}`), connector('named', `http://localhost:${port}`)] } as never);
  app = await createRelyingParty(server, { clientId: 'app', scope: 'openid email' });
});
afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => internal.close(() => resolve()));
});

describe('a connector pointing at an internal address', () => {
  it('is refused before any request, by literal address or by a name resolving to it', async () => {
    for (const id of ['literal', 'named']) {
      const browser = newBrowser();
      const first = await browser.get((await app.authorizationUrl({ scope: 'openid email' })).url);
      const page = await browser.submit(first, `/federation/${id}`, {});
      expect(page.status, id).toBe(503);
      expect(page.html).toContain('cannot be reached');
      expect(page.html).toContain('sign in with your email');
    }
    expect(hits).toBe(0);
  });
});
