// Owns the configured upstream OpenID Connect connectors and every protocol exchange with them, through
// openid-client: discovery (cached), the authorization URL with state, nonce and PKCE, and the code grant.
import * as oidc from 'openid-client';
import type { UpstreamIdentity } from './decide.ts';

export interface ConnectorSettings {
  id: string;
  kind: 'oidc';
  name: string;
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  scopes: string[];
  enabled: boolean;
}

export interface UpstreamChecks {
  state: string;
  nonce: string;
  verifier: string;
}

const loopback = new Set(['localhost', '127.0.0.1', '[::1]']);

export function createConnectorRegistry(settings: ConnectorSettings[], redirectUri: string) {
  const configs = new Map<string, Promise<oidc.Configuration>>();

  function configuration(connector: ConnectorSettings): Promise<oidc.Configuration> {
    let config = configs.get(connector.id);
    if (!config) {
      const server = new URL(connector.issuer);
      // Plain http only for an upstream on this machine (tests, local development).
      const insecure = server.protocol === 'http:' && loopback.has(server.hostname);
      const auth = connector.clientSecret ? oidc.ClientSecretBasic(connector.clientSecret) : oidc.None();
      // ID token signatures are checked against the upstream's published keys even though the token comes
      // straight from its token endpoint (openid-client skips that check unless asked).
      const execute = insecure ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] : [oidc.enableNonRepudiationChecks];
      config = oidc.discovery(server, connector.clientId, connector.clientSecret, auth, { execute });
      config.catch(() => configs.delete(connector.id));
      configs.set(connector.id, config);
    }
    return config;
  }

  return {
    /** Enabled connectors, in configured order: the buttons on the sign-in page. */
    enabled(): { id: string; name: string }[] {
      return settings.filter((c) => c.enabled).map((c) => ({ id: c.id, name: c.name }));
    },
    /** An enabled connector by id; disabled and unknown ones are undefined alike. */
    find(id: string): ConnectorSettings | undefined {
      return settings.find((c) => c.enabled && c.id === id);
    },
    async authorizationUrl(connector: ConnectorSettings): Promise<{ url: string; checks: UpstreamChecks }> {
      const config = await configuration(connector);
      const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: connector.scopes.join(' '), state: checks.state, nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier), code_challenge_method: 'S256',
      });
      return { url: url.href, checks };
    },
    /** Redeems the callback (`query` as received) and returns who the upstream says this is. Throws on any check. */
    async redeem(connector: ConnectorSettings, query: string, checks: UpstreamChecks): Promise<UpstreamIdentity> {
      const config = await configuration(connector);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(`${redirectUri}?${query}`), {
        pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true,
      });
      const idToken = tokens.claims()!;
      let claims: Record<string, unknown> = idToken;
      if (idToken.email === undefined && config.serverMetadata().userinfo_endpoint) {
        claims = { ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), sub: idToken.sub };
      }
      const email = typeof claims.email === 'string' && claims.email.length <= 254 ? claims.email : null;
      return { subject: idToken.sub, email, emailVerified: email !== null && claims.email_verified === true };
    },
  };
}

export type ConnectorRegistry = ReturnType<typeof createConnectorRegistry>;
