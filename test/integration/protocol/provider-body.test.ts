// oidc-provider reads the form bodies of its own endpoints itself: Foyer's input checks read a body first
// (size, UTF-8, NUL) and hand the provider a fresh stream of the checked text, so the provider never falls
// back to a pre-parsed body (which it reports once per process: "already parsed request body detected").
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRelyingParty, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let machine: RelyingParty & { secret?: string };
// oidc-provider prints its warnings with console.warn; spying (calling through) records them, printing as before.
const warn = vi.spyOn(console, 'warn');
const providerWarnings = () => warn.mock.calls.map((args) => args.map(String).join(' ')).filter((line) => line.includes('oidc-provider'));

beforeAll(async () => {
  server = await startTestServer();
  machine = await createRelyingParty(server, { clientId: 'worker', grantTypes: ['client_credentials'], redirectUris: [], scope: 'read write' });
});
afterAll(async () => {
  warn.mockRestore();
  await server?.stop();
});

const tokenRequest = (body: string, headers: Record<string, string> = {}) => fetch(`${server.url}/token`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers }, body,
});

describe('form bodies on the provider\'s endpoints', () => {
  it('a token request with a form body goes through without the provider warning of an already parsed body', async () => {
    const basic = `Basic ${Buffer.from(`worker:${machine.secret!}`).toString('base64')}`;
    const inBasic = await tokenRequest('grant_type=client_credentials&scope=read', { authorization: basic });
    expect(inBasic.status).toBe(200);
    expect(await inBasic.json()).toMatchObject({ token_type: 'Bearer', access_token: expect.any(String) });
    // The secret in the body (client_secret_post) is moved to a Basic header and out of the body the provider reads.
    const inBody = await tokenRequest(`grant_type=client_credentials&scope=write&client_id=worker&client_secret=${encodeURIComponent(machine.secret!)}`);
    expect(inBody.status).toBe(200);
    const { access_token: accessToken } = await inBody.json() as { access_token: string };
    // Introspection and revocation are form posts to the provider too.
    const post = await oidc.discovery(new URL(server.url), 'worker', undefined, oidc.ClientSecretPost(machine.secret!), { execute: [oidc.allowInsecureRequests] });
    expect((await oidc.tokenIntrospection(post, accessToken)).active).toBe(true);
    await oidc.tokenRevocation(post, accessToken);
    expect((await oidc.tokenIntrospection(post, accessToken)).active).toBe(false);
    expect(providerWarnings()).toEqual([]);
  });

  it('still refuses a NUL byte in the body first, with the same JSON error, and warns of nothing', async () => {
    const refused = await tokenRequest('grant_type=client_credentials&scope=re%00ad', { authorization: `Basic ${Buffer.from(`worker:${machine.secret!}`).toString('base64')}` });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'request.nul_character' });
    expect(providerWarnings()).toEqual([]);
  });
});
