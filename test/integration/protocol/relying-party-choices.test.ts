// A client chooses how its ID tokens are signed (ES256 by default, RS256 for relying parties that cannot
// verify ES256) and how it authenticates at the token endpoint (client_secret_basic or _post, private_key_jwt
// with keys at its jwks_uri): from the `foyer` command, the admin API and the admin pages.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands.ts';
import { createAdminApi } from '../../support/admin-api.ts';
import { newBrowser, signUp, throughPrompts } from '../../support/journey.ts';
import { CALLBACK, relyingPartyOf, type RelyingParty } from '../../support/relying-party.ts';
import { startTestServer, type TestServer } from '../../support/test-server.ts';

let server: TestServer;
let jwksServer: Server;
let jwksUri: string;
let clientKey: { privateKey: CryptoKey; kid: string };
const password = 'a long and unusual passphrase';
let n = 0;

/** Signs a new customer in through the real journey and exchanges the code with openid-client. */
async function signInWith(rp: RelyingParty) {
  const browser = newBrowser();
  const auth = await rp.authorizationUrl();
  const page = await throughPrompts(browser, await signUp(server, browser, await browser.get(auth.url), `rp${(n += 1)}@example.com`, password));
  expect(page.url.startsWith(CALLBACK)).toBe(true);
  return rp.exchange(page.url, auth);
}

beforeAll(async () => {
  server = await startTestServer({ outboundAllowPrivate: true });
  // The relying party's own keys, published on loopback as a private_key_jwt client would.
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await jose.exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig' };
  clientKey = { privateKey: pair.privateKey, kid: await jose.calculateJwkThumbprint(publicJwk) };
  jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...publicJwk, kid: clientKey.kid }] })));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  await server?.stop();
  jwksServer?.close();
});

/** openid-client's error for a 401 invalid_client, in the body or (Basic was sent) in WWW-Authenticate. */
const isInvalidClient = (error: unknown) => {
  const e = error as { error?: string; cause?: { parameters?: { error?: string } }[] };
  return e.error === 'invalid_client' || e.cause?.[0]?.parameters?.error === 'invalid_client';
};

const cli = (args: string[]) => runCommand([...args, '--json'], { services: server.services });

describe('the ID token signing algorithm', { timeout: 120_000 }, () => {
  it('is ES256 by default and RS256 for a client registered with --id-token-alg RS256, verified by openid-client', async () => {
    const added = await cli(['clients', 'add', '--client-id', 'legacy-rp', '--redirect-uri', CALLBACK, '--id-token-alg', 'RS256']);
    expect(added.stderr).toBe('');
    const client = JSON.parse(added.stdout) as { client_secret: string; id_token_signed_response_alg: string };
    expect(client.id_token_signed_response_alg).toBe('RS256');
    // openid-client checks the signature against the issuer's jwks_uri (non-repudiation) and that the header says RS256.
    const rs = await relyingPartyOf(server, 'legacy-rp', client.client_secret, CALLBACK, { metadata: { id_token_signed_response_alg: 'RS256' } });
    oidc.enableNonRepudiationChecks(rs.config);
    const tokens = await signInWith(rs);
    expect(jose.decodeProtectedHeader(tokens.id_token!).alg).toBe('RS256');
    expect(tokens.claims()).toMatchObject({ iss: server.url, aud: 'legacy-rp' });

    const es = await cli(['clients', 'add', '--client-id', 'modern-rp', '--redirect-uri', CALLBACK]);
    const modern = JSON.parse(es.stdout) as { client_secret: string; id_token_signed_response_alg: string };
    expect(modern.id_token_signed_response_alg).toBe('ES256');
    const esRp = await relyingPartyOf(server, 'modern-rp', modern.client_secret, CALLBACK, { metadata: { id_token_signed_response_alg: 'ES256' } });
    oidc.enableNonRepudiationChecks(esRp.config);
    expect(jose.decodeProtectedHeader((await signInWith(esRp)).id_token!).alg).toBe('ES256');
  });

  it('refuses an algorithm it does not offer', async () => {
    const result = await cli(['clients', 'add', '--client-id', 'bad-alg', '--redirect-uri', CALLBACK, '--id-token-alg', 'none']);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('--id-token-alg: "none" is not one of ES256, RS256');
  });
});

describe('token endpoint authentication', { timeout: 120_000 }, () => {
  it('lists private_key_jwt beside the secret methods in discovery, never none for signing', async () => {
    const meta = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json() as Record<string, string[]>;
    expect(meta.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'private_key_jwt']));
    expect(meta.token_endpoint_auth_signing_alg_values_supported).not.toContain('none');
    expect(meta.token_endpoint_auth_signing_alg_values_supported).not.toContain('HS256');
  });

  it('a private_key_jwt client signs in with a key served from its jwks_uri; another key, or a secret, is refused', async () => {
    const added = await cli(['clients', 'add', '--client-id', 'keyed-rp', '--redirect-uri', CALLBACK, '--token-auth', 'private_key_jwt', '--jwks-uri', jwksUri]);
    expect(added.stderr).toBe('');
    const client = JSON.parse(added.stdout) as Record<string, unknown>;
    expect(client).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri });
    expect(client.client_secret).toBeUndefined();
    const rp = await relyingPartyOf(server, 'keyed-rp', undefined, CALLBACK, { auth: oidc.PrivateKeyJwt({ key: clientKey.privateKey, kid: clientKey.kid }) });
    const tokens = await signInWith(rp);
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.claims()?.aud).toBe('keyed-rp');

    const stranger = await jose.generateKeyPair('ES256');
    const forged = await relyingPartyOf(server, 'keyed-rp', undefined, CALLBACK, { auth: oidc.PrivateKeyJwt({ key: stranger.privateKey, kid: clientKey.kid }) });
    await expect(signInWith(forged)).rejects.toSatisfy(isInvalidClient);
    const withSecret = await relyingPartyOf(server, 'keyed-rp', 'x'.repeat(40), CALLBACK, { auth: oidc.ClientSecretPost('x'.repeat(40)) });
    await expect(signInWith(withSecret)).rejects.toSatisfy(isInvalidClient);
  });

  it('a client_secret_post client may send its secret in the body or in Basic (the contract for confidential clients)', async () => {
    const added = JSON.parse((await cli(['clients', 'add', '--client-id', 'post-rp', '--redirect-uri', CALLBACK, '--token-auth', 'client_secret_post'])).stdout) as { client_secret: string; token_endpoint_auth_method: string };
    expect(added.token_endpoint_auth_method).toBe('client_secret_post');
    for (const auth of [oidc.ClientSecretPost(added.client_secret), oidc.ClientSecretBasic(added.client_secret)]) {
      expect((await signInWith(await relyingPartyOf(server, 'post-rp', added.client_secret, CALLBACK, { auth }))).access_token).toBeTruthy();
    }
  });

  it('the command refuses combinations that cannot work, naming the flags', async () => {
    const cases: [string[], string][] = [
      [['--token-auth', 'private_key_jwt'], '--token-auth private_key_jwt needs --jwks-uri'],
      [['--jwks-uri', jwksUri], '--jwks-uri is only for --token-auth private_key_jwt'],
      [['--public', '--token-auth', 'client_secret_post'], '--public and --token-auth exclude each other'],
      [['--token-auth', 'private_key_jwt', '--jwks-uri', jwksUri, '--secret', 's'.repeat(40)], 'exclude each other'],
      [['--token-auth', 'none'], '--token-auth: "none" is not one of'],
      [['--token-auth', 'private_key_jwt', '--jwks-uri', 'ftp://x'], '--jwks-uri: "ftp://x" is not an http(s) URL'],
    ];
    for (const [flags, message] of cases) {
      const result = await cli(['clients', 'add', '--client-id', 'refused', '--redirect-uri', CALLBACK, ...flags]);
      expect(result.exitCode, flags.join(' ')).toBe(1);
      expect(result.stderr).toContain(message);
    }
    expect(await server.services.clients.showClient('refused')).toBeUndefined();
  });
});

describe('the admin API and pages', { timeout: 120_000 }, () => {
  it('registers and changes the algorithm and the authentication; a secret appears when one is needed and goes when not', async () => {
    const { call } = await createAdminApi(server);
    const missing = await call('/clients', { method: 'POST', body: { client_id: 'api-rp', redirect_uris: [CALLBACK], token_endpoint_auth_method: 'private_key_jwt' } });
    expect(missing.status).toBe(400);
    expect(missing.body?.message).toContain('jwks_uri');
    const badAlg = await call('/clients', { method: 'POST', body: { client_id: 'api-rp', redirect_uris: [CALLBACK], id_token_signed_response_alg: 'HS256' } });
    expect(badAlg.status).toBe(400);
    expect(String(badAlg.body?.message)).toContain('id_token_signed_response_alg');

    const created = await call('/clients', { method: 'POST', body: { client_id: 'api-rp', redirect_uris: [CALLBACK], id_token_signed_response_alg: 'RS256' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id_token_signed_response_alg: 'RS256', token_endpoint_auth_method: 'client_secret_basic' });
    expect(created.body?.client_secret).toBeTypeOf('string');

    const keyed = await call('/clients/api-rp', { method: 'PATCH', body: { token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri } });
    expect(keyed.status).toBe(200);
    expect(keyed.body).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri, id_token_signed_response_alg: 'RS256' });
    expect((await call('/clients/api-rp/rotate-secret', { method: 'POST' })).status).toBe(409);
    const rp = await relyingPartyOf(server, 'api-rp', undefined, CALLBACK, { auth: oidc.PrivateKeyJwt({ key: clientKey.privateKey, kid: clientKey.kid }), metadata: { id_token_signed_response_alg: 'RS256' } });
    oidc.enableNonRepudiationChecks(rp.config);
    expect(jose.decodeProtectedHeader((await signInWith(rp)).id_token!).alg).toBe('RS256');

    const back = await call('/clients/api-rp', { method: 'PATCH', body: { token_endpoint_auth_method: 'client_secret_post', jwks_uri: null } });
    expect(back.status).toBe(200);
    expect(back.body?.client_secret).toBeTypeOf('string');
    expect(back.body?.jwks_uri).toBeUndefined();
    const secretRp = await relyingPartyOf(server, 'api-rp', String(back.body!.client_secret), CALLBACK, { auth: oidc.ClientSecretPost(String(back.body!.client_secret)) });
    expect((await signInWith(secretRp)).access_token).toBeTruthy();

    const openapi = await (await fetch(`${server.url}/admin/api/openapi.json`)).json() as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(openapi.components.schemas.ClientInput!.properties).toHaveProperty('token_endpoint_auth_method');
    expect(openapi.components.schemas.ClientInput!.properties).toHaveProperty('jwks_uri');
    expect(openapi.components.schemas.ClientChange!.properties).toHaveProperty('id_token_signed_response_alg');
  });
});
