// A server with two documents, for tests of how the journey asks for them: terms of service every customer
// accepts, and a club's own rules that only the club's app (client `club`) requires.
import { createRelyingParty, type RelyingParty } from './relying-party.ts';
import { startTestServer, type TestServer } from './test-server.ts';

/** Starts the server and registers the club's app; each test file adds the other apps it needs. */
export async function startServerWithClubRules(): Promise<{ server: TestServer; club: RelyingParty }> {
  const server = await startTestServer({
    consent: {
      documents: [
        { id: 'terms', title: 'Terms of service', required: true, versions: [{ version: '1', material: true }] },
        { id: 'club-rules', title: 'Club rules', required: false, versions: [{ version: '1', material: true, url: 'https://example.com/club-rules' }] },
      ],
    },
  } as never);
  try {
    const club = await createRelyingParty(server, { clientId: 'club', name: 'Club', scope: 'openid email profile', documents: ['club-rules'] });
    return { server, club };
  } catch (error) {
    await server.stop(); // the caller never gets the server to stop
    throw error;
  }
}
