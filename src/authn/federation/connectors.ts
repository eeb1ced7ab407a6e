// Owns every protocol exchange with upstream providers, through openid-client: OpenID Connect (discovery,
// ID token checked against the upstream's keys and our nonce) and plain OAuth 2.0 (endpoints + userinfo).
import * as oidc from 'openid-client';
import { z } from 'zod';
import { guardedFetch } from '../../security/outbound.ts';
import { appleClaims, appleClientSecret } from './apple.ts';
import type { ConnectorStore, StoredConnector } from './connector-store.ts';
import type { UpstreamIdentity } from './decide.ts';
import { mapUpstreamClaims, type ConnectorInput } from './presets.ts';

export interface UpstreamChecks {
  state: string;
  nonce: string;
  verifier: string;
}

const loopback = new Set(['localhost', '127.0.0.1', '[::1]']);
const githubEmails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/** Plain http only for an upstream on this machine (tests, local development). */
const isInsecureLoopback = (url: string) => {
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && loopback.has(parsed.hostname);
};

/** Apple's client secret: an ES256 JWT signed with the team's key, made fresh for each token request, sent in the body. */
function appleClientAuth(connector: StoredConnector): oidc.ClientAuth {
  return async (_as, client, body) => {
    body.set('client_id', client.client_id);
    body.set('client_secret', await appleClientSecret({ ...connector.apple!, clientId: client.client_id }));
  };
}

function clientAuth(connector: StoredConnector): oidc.ClientAuth {
  if (connector.apple) return appleClientAuth(connector);
  if (!connector.clientSecret) return oidc.None();
  return connector.clientAuth === 'post' ? oidc.ClientSecretPost(connector.clientSecret) : oidc.ClientSecretBasic(connector.clientSecret);
}

export function createConnectorRegistry(store: ConnectorStore, seed: ConnectorInput[], redirectUri: string, outbound: { allowPrivate: boolean }) {
  // Discovery, token, userinfo and JWKS calls go through the outbound guard: an upstream (or its discovery
  // document) cannot point Foyer at loopback or private addresses unless OUTBOUND_ALLOW_PRIVATE.
  const fetchUpstream = guardedFetch({ allowPrivate: outbound.allowPrivate }) as oidc.CustomFetch;
  const configs = new Map<string, Promise<oidc.Configuration>>();
  let seeded: Promise<unknown> | undefined;
  const all = async () => {
    seeded ??= store.seedConnectors(seed).catch((error: unknown) => {
      seeded = undefined;
      throw error;
    });
    await seeded;
    return store.listConnectors();
  };

  function configuration(connector: StoredConnector): Promise<oidc.Configuration> {
    const key = `${connector.id}@${connector.version}`;
    let config = configs.get(key);
    if (!config) {
      const insecure = isInsecureLoopback(connector.issuer ?? connector.authorizationEndpoint!) && (!connector.tokenEndpoint || isInsecureLoopback(connector.tokenEndpoint));
      // ID token signatures are checked against the upstream's published keys even though the token comes
      // straight from its token endpoint (openid-client skips that check unless asked).
      const execute = insecure ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] : [oidc.enableNonRepudiationChecks];
      if (connector.protocol === 'oidc') {
        config = oidc.discovery(new URL(connector.issuer!), connector.clientId, undefined, clientAuth(connector), { execute, [oidc.customFetch]: fetchUpstream });
      } else {
        const made = new oidc.Configuration({
          issuer: connector.issuer ?? new URL(connector.authorizationEndpoint!).origin, authorization_endpoint: connector.authorizationEndpoint!, token_endpoint: connector.tokenEndpoint!, userinfo_endpoint: connector.userinfoEndpoint!,
        }, connector.clientId, undefined, clientAuth(connector));
        made[oidc.customFetch] = fetchUpstream;
        if (insecure) oidc.allowInsecureRequests(made);
        config = Promise.resolve(made);
      }
      config.catch(() => configs.delete(key));
      configs.set(key, config);
    }
    return config;
  }

  async function redeemOidc(connector: StoredConnector, config: oidc.Configuration, url: URL, checks: UpstreamChecks, params: URLSearchParams): Promise<Record<string, unknown>> {
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: checks.verifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true,
    });
    const idToken = tokens.claims()!;
    if (connector.refuseTenants?.includes(String(idToken.tid))) throw new Error('tenant refused');
    let claims: Record<string, unknown> = { ...idToken };
    if (config.serverMetadata().userinfo_endpoint && connector.kind !== 'apple') {
      claims = { ...claims, ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)), sub: idToken.sub };
    }
    return connector.kind === 'apple' ? appleClaims(claims, params.get('user')) : claims;
  }

  async function redeemOauth2(connector: StoredConnector, config: oidc.Configuration, url: URL, checks: UpstreamChecks): Promise<Record<string, unknown>> {
    const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: connector.pkce ? checks.verifier : undefined, expectedState: checks.state });
    const fetchJson = async (endpoint: string): Promise<unknown> => {
      const response = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(endpoint), 'GET', undefined, new Headers({ accept: 'application/json' }));
      if (!response.ok) throw new Error(`upstream answered ${response.status}`);
      return response.json();
    };
    const claims = await fetchJson(connector.userinfoEndpoint!);
    if (!claims || typeof claims !== 'object') throw new Error('userinfo is not an object');
    if (!connector.emailsEndpoint) return claims as Record<string, unknown>;
    // GitHub: the primary address from /user/emails, verified or not; a private profile email is never used.
    const emails = githubEmails.safeParse(await fetchJson(connector.emailsEndpoint));
    const primary = emails.success ? emails.data.find((e) => e.primary) : undefined;
    return { ...claims, [EMAIL_KEY]: primary?.email, [VERIFIED_KEY]: primary?.verified === true };
  }

  return {
    /** Resolves once the config file's connectors are in the table (the admin's views list them too). */
    async ready(): Promise<void> {
      await all();
    },
    /** Enabled connectors a client may show, in the admin's order: the buttons on the sign-in page. */
    async buttonsFor(allowed: readonly string[] | undefined): Promise<{ id: string; name: string }[]> {
      return (await all()).filter((c) => c.enabled && (!allowed || allowed.includes(c.id))).map((c) => ({ id: c.id, name: c.name }));
    },
    /** Every connector's id, enabled or not (what a client may list in foyer_connectors). */
    async connectorIds(): Promise<string[]> {
      return (await all()).map((c) => c.id);
    },
    /** An enabled connector by id; disabled and unknown ones are undefined alike. */
    async find(id: string): Promise<StoredConnector | undefined> {
      return (await all()).find((c) => c.enabled && c.id === id);
    },
    async authorizationUrl(connector: StoredConnector): Promise<{ url: string; checks: UpstreamChecks }> {
      const config = await configuration(connector);
      const checks = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier() };
      const parameters: Record<string, string> = { redirect_uri: redirectUri, scope: connector.scopes.join(' '), state: checks.state };
      if (connector.protocol === 'oidc') parameters.nonce = checks.nonce;
      if (connector.pkce) Object.assign(parameters, { code_challenge: await oidc.calculatePKCECodeChallenge(checks.verifier), code_challenge_method: 'S256' });
      if (connector.responseMode) parameters.response_mode = connector.responseMode;
      return { url: oidc.buildAuthorizationUrl(config, parameters).href, checks };
    },
    /** Redeems the callback (its parameters as received) and returns who the upstream says this is. Throws on any check. */
    async redeem(connector: StoredConnector, params: URLSearchParams, checks: UpstreamChecks): Promise<UpstreamIdentity> {
      const config = await configuration(connector);
      const url = new URL(redirectUri);
      for (const [key, value] of params) if (key !== 'user') url.searchParams.append(key, value);
      const claims = connector.protocol === 'oidc' ? await redeemOidc(connector, config, url, checks, params) : await redeemOauth2(connector, config, url, checks);
      const mapping = connector.emailsEndpoint ? { ...connector.mapping, email: EMAIL_KEY, emailVerified: VERIFIED_KEY } : connector.mapping;
      const mapped = mapUpstreamClaims(mapping, claims);
      if (!mapped.subject) throw new Error('the upstream named no subject');
      return { subject: mapped.subject, email: mapped.email, emailVerified: mapped.emailVerified, profile: mapped.profile };
    },
  };
}

// Keys under which the GitHub emails answer joins the /user answer (no GitHub field has these names).
const EMAIL_KEY = '__foyer_primary_email';
const VERIFIED_KEY = '__foyer_primary_email_verified';

export type ConnectorRegistry = ReturnType<typeof createConnectorRegistry>;

