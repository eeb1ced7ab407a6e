// A relying app for tests: registers a client in Foyer and drives it with openid-client.
import * as oidc from 'openid-client';
import type { ClientInput } from '../../src/clients/input.ts';
import type { TestServer } from './test-server.ts';

export const CALLBACK = 'http://127.0.0.1:9/callback';

export interface RelyingParty {
  config: oidc.Configuration;
  clientId: string;
  authorizationUrl(params?: Record<string, string>): Promise<{ url: string; verifier: string; state: string; nonce: string }>;
  exchange(callbackUrl: string, expected: { verifier: string; state: string; nonce: string }): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>;
}

export async function createRelyingParty(server: TestServer, input: Partial<ClientInput> & { clientId: string }): Promise<RelyingParty & { secret?: string }> {
  const added = await server.services.clients.addClient({ redirectUris: [CALLBACK], public: false, postLogoutRedirectUris: ['http://127.0.0.1:9/bye'], ...input });
  return relyingPartyOf(server, input.clientId, added.client_secret);
}

/**
 * Drives a client registered some other way (the CLI, the admin API), with its secret when confidential;
 * `options` give another client authentication (e.g. private_key_jwt) or client metadata (e.g. the ID token algorithm).
 */
export async function relyingPartyOf(
  server: TestServer, clientId: string, secret?: string, redirectUri = CALLBACK,
  options: { auth?: oidc.ClientAuth; metadata?: Partial<oidc.ClientMetadata> } = {},
): Promise<RelyingParty & { secret?: string }> {
  const auth = options.auth ?? (secret ? oidc.ClientSecretBasic(secret) : oidc.None());
  const metadata = { ...(secret ? { client_secret: secret } : {}), ...options.metadata };
  const config = await oidc.discovery(new URL(server.url), clientId, Object.keys(metadata).length ? metadata : undefined, auth, { execute: [oidc.allowInsecureRequests] });
  return {
    config,
    clientId,
    ...(secret ? { secret } : {}),
    async authorizationUrl(params = {}) {
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: 'openid email profile', state, nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
      });
      return { url: url.href, verifier, state, nonce };
    },
    exchange(callbackUrl, expected) {
      return oidc.authorizationCodeGrant(config, new URL(callbackUrl), { pkceCodeVerifier: expected.verifier, expectedState: expected.state, expectedNonce: expected.nonce });
    },
  };
}
