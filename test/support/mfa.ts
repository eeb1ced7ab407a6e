// A server for tests of the second-factor prompt: one app that requires it and one that leaves it to the account.
import { createRelyingParty, type RelyingParty } from './relying-party.ts';
import { startTestServer, type TestServer } from './test-server.ts';

/** `strict` is the bank (client `bank`, a second factor required); `relaxed` the shop (client `shop`). */
export async function startServerWithBankAndShop(): Promise<{ server: TestServer; strict: RelyingParty; relaxed: RelyingParty }> {
  const server = await startTestServer();
  try {
    const strict = await createRelyingParty(server, { clientId: 'bank', name: 'Bank', mfa: 'required' });
    const relaxed = await createRelyingParty(server, { clientId: 'shop', name: 'Shop' });
    return { server, strict, relaxed };
  } catch (error) {
    await server.stop(); // the caller never gets the server to stop
    throw error;
  }
}
