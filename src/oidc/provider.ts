// Owns oidc-provider's configuration: features, TTLs, cookies, claims, grants, pages it renders itself.
// The only module that constructs a Provider.
import { addLanguageSignals } from '../i18n/request-language.ts';
import { t } from '../i18n/translate.ts';
import { LANGUAGES } from '../i18n/languages.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KoaContextWithOIDC, Configuration, ClientMetadata, InteractionResults } from 'oidc-provider';
import Provider, { errors } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Config } from '../config/schema.ts';
import type { AccountQueries } from '../accounts/queries.ts';
import type { ConsentService } from '../consent/service.ts';
import type { Views } from '../http/views.ts';
import { applyProxySettings } from '../http/proxy.ts';
import { deriveKey } from '../security/keys.ts';
import { accountTokenClaims } from './account-tokens.ts';
import { createAdapterClass } from './adapter.ts';
import { inProviderRequest } from './session-writes.ts';
import { flushPending } from './deferred-writes.ts';
import { accountWithTokenSql, createFindAccount, type BrandFieldFilter, type ClaimRelease } from './claims.ts';
import { effectiveScopeClaims, oidcScopesOf } from '../consent/scope-claims.ts';
import type { ClientStore } from './clients.ts';
import { createLoadExistingGrant } from './grants.ts';
import { createDevicePages } from './device-pages.ts';
import { createInteractionPolicy, type BrandSharingPromptPort, type MfaPolicyPort } from './policy.ts';
import { createAuthorizationConsentReads } from './authorization-consent-reads.ts';
import type { ProfileService } from '../profile/service.ts';
import { CLIENT_PROFILE_METADATA, clientProfileMetadataProblem } from '../profile/client-needs.ts';
import { builtInResources } from '../security/api-tokens.ts';
import { CLIENT_MFA_POLICIES, SUPPORTED_ACRS } from '../authn/mfa/policy.ts';
import type { ResourceStore } from './resources.ts';
import type { Db } from '../db/create-db.ts';
import type { Metrics } from '../metrics/registry.ts';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../errors/database-unavailable.ts';

export interface ProviderDeps {
  config: Config;
  db: Db;
  clients: ClientStore;
  resources: ResourceStore;
  accounts: AccountQueries;
  consent: ConsentService;
  views: Views;
  mfaPolicy: MfaPolicyPort;
  /** The release rule applied to an account's claims (src/consent/field-release.ts). */
  fieldRelease: ClaimRelease;
  /** The profile schema (custom scopes and claims, fixed at construction) and the profile prompt's port. */
  profile?: ProfileService;
  /** Cross-brand sharing: the question a brand's first visit asks, and the fields its apps may have. */
  brandSharing?: BrandSharingPromptPort & BrandFieldFilter;
  /** Counts token endpoint grants by type and outcome. */
  metrics?: Pick<Metrics, 'tokenGrant'>;
}

// Grant types a label may name; anything else (absent, unknown) is `other`, so labels stay few.
const GRANT_TYPES = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code']);
const grantTypeOf = (ctx: KoaContextWithOIDC) => {
  const type = (ctx.oidc as { params?: { grant_type?: unknown } } | undefined)?.params?.grant_type;
  return typeof type === 'string' && GRANT_TYPES.has(type) ? type : 'other';
};

export type { Provider, InteractionResults };

// oidc-provider's default routes; every other path is Foyer's (and gets Foyer's 404 page).
const PROVIDER_PATHS = ['/auth', '/token', '/me', '/session/end', '/jwks', '/request', '/device', '/.well-known/openid-configuration'];

export function isProviderPath(path: string): boolean {
  return PROVIDER_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

// Its endpoints that render no page: the token endpoint (with introspection and revocation), userinfo, keys, PAR, discovery.
const PROVIDER_API_PATHS = new Set(['/token', '/token/introspection', '/token/revocation', '/me', '/jwks', '/request', '/.well-known/openid-configuration']);

export const isProviderApiPath = (path: string): boolean => PROVIDER_API_PATHS.has(path);

// oidc-provider's endpoints by their paths, for metrics; any other path under its prefixes is `<prefix>/*`.
const PROVIDER_ROUTES = new Set([...PROVIDER_PATHS, '/token/introspection', '/token/revocation', '/session/end/confirm', '/session/end/success', '/device/auth', '/device/confirm', '/device/success']);

/** The route pattern of a provider path (bounded: never the raw path), or undefined when it is Foyer's. */
export function providerRoute(path: string): string | undefined {
  if (PROVIDER_ROUTES.has(path)) return path;
  const prefix = PROVIDER_PATHS.find((p) => path.startsWith(`${p}/`));
  if (!prefix) return undefined;
  return prefix === '/auth' && !path.slice(6).includes('/') ? '/auth/:uid' : `${prefix}/*`;
}

// Where claims follow a token's read in the same request (code or refresh → ID token; userinfo): the account is
// read with the token (adapter.ts).
const ACCOUNT_WITH_TOKEN_PATHS = new Set(['/token', '/me']);

/** The Provider's request handler, each request remembering the sessions it reads (so its writes merge, never undo). */
export function providerRequestHandler(provider: Provider): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const callback = provider.callback();
  return (req, res) => {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const accountsWithTokens = ACCOUNT_WITH_TOKEN_PATHS.has(query === -1 ? url : url.slice(0, query));
    return inProviderRequest(() => callback(req, res), flushPending, { accountsWithTokens });
  };
}

// A client's metadata as a plain object: oidc-provider rebuilds it at every metadata() call (a measurable share
// of a client-credentials grant). Client instances are immutable and re-made whenever the registration changes,
// so one copy per instance stays right.
const clientMetadata = new WeakMap<object, ClientMetadata>();
const metadataOf = (client: { metadata(): ClientMetadata }): ClientMetadata => {
  let metadata = clientMetadata.get(client);
  if (!metadata) clientMetadata.set(client, (metadata = client.metadata()));
  return metadata;
};

const htmlPage = (ctx: KoaContextWithOIDC, views: Views, name: string, data: () => { title: string; [key: string]: unknown }) => {
  // RP-initiated logout may name the reader's languages (ui_locales), as an authorization request does:
  // added before the page's words are looked up (data is built after).
  const uiLocales = (ctx.oidc?.params as { ui_locales?: unknown } | undefined)?.ui_locales;
  if (typeof uiLocales === 'string') addLanguageSignals({ uiLocales });
  ctx.type = 'html';
  ctx.body = views.render(name, data());
};

export function buildProvider(deps: ProviderDeps, signingKeys: JWK[]): Provider {
  const { config, views } = deps;
  const secure = config.issuer.startsWith('https:');
  const cookieKeys = [deriveKey(config.secret, 'cookies').toString('base64url')];
  const cookieOptions = { signed: true, httpOnly: true, sameSite: 'lax' as const, secure };
  // oidc-provider fixes scopes and claims at construction: the host rebuilds the Provider when the profile schema changes.
  const profileSchema = deps.profile?.current();
  const scopeClaims = effectiveScopeClaims(profileSchema);
  const ownResources = builtInResources(config.issuer);
  const consentReads = createAuthorizationConsentReads(deps.consent);

  const configuration: Configuration = {
    adapter: createAdapterClass(deps.db, deps.clients, {
      refreshReuseGraceSeconds: config.tokens.refreshReuseGraceSeconds,
      // A session's idle expiry may lag by a minute at most (a hundredth of the idle time when that is shorter).
      sessionExpirySlackSeconds: Math.min(60, Math.floor(config.session.idleSeconds / 100)),
      accountWithToken: accountWithTokenSql(deps.fieldRelease),
    }),
    jwks: { keys: signingKeys as never[] },
    cookies: { keys: cookieKeys, long: cookieOptions, short: cookieOptions },
    findAccount: createFindAccount(deps.accounts, deps.fieldRelease, () => scopeClaims, deps.brandSharing),
    loadExistingGrant: createLoadExistingGrant(consentReads, scopeClaims),
    claims: scopeClaims as unknown as Configuration['claims'],
    scopes: oidcScopesOf(scopeClaims),
    acrValues: SUPPORTED_ACRS,
    // The languages the pages speak (ui_locales picks among them; see src/i18n).
    discovery: { ui_locales_supported: [...LANGUAGES] },
    responseTypes: ['code'],
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], id_token_signed_response_alg: 'ES256', response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
    // A client registered with either secret method may use both (oidc-provider accepts them alike); private_key_jwt
    // clients sign an assertion with a key from their jwks_uri (fetched through `fetch` below).
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
      idTokenSigningAlgValues: ['ES256', 'RS256'],
      userinfoSigningAlgValues: ['ES256', 'RS256'],
      introspectionSigningAlgValues: ['ES256', 'RS256'],
      authorizationSigningAlgValues: ['ES256', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'RS256'],
    },
    extraClientMetadata: {
      properties: ['foyer_first_party', 'foyer_api_scopes', 'foyer_mfa', 'foyer_documents', 'foyer_connectors', ...CLIENT_PROFILE_METADATA],
      validator(_ctx, key, value) {
        if (key === 'foyer_first_party' && value !== undefined && typeof value !== 'boolean') throw new errors.InvalidClientMetadata('foyer_first_party must be a boolean');
        if (key === 'foyer_api_scopes' && value !== undefined && !(Array.isArray(value) && value.every((s) => typeof s === 'string'))) throw new errors.InvalidClientMetadata('foyer_api_scopes must be a list of scopes');
        if (key === 'foyer_documents' && value !== undefined && !(Array.isArray(value) && value.every((d) => typeof d === 'string'))) throw new errors.InvalidClientMetadata('foyer_documents must be a list of document ids');
        if (key === 'foyer_mfa' && value !== undefined && !CLIENT_MFA_POLICIES.includes(value as never)) throw new errors.InvalidClientMetadata(`foyer_mfa must be one of ${CLIENT_MFA_POLICIES.join(', ')}`);
        const profileProblem = (CLIENT_PROFILE_METADATA as readonly string[]).includes(key) ? clientProfileMetadataProblem(key, value) : undefined;
        if (profileProblem) throw new errors.InvalidClientMetadata(profileProblem);
        if (key === 'foyer_connectors' && value !== undefined && !(Array.isArray(value) && value.every((id) => typeof id === 'string'))) throw new errors.InvalidClientMetadata('foyer_connectors must be a list of connector ids');
      },
    },
    interactions: {
      policy: createInteractionPolicy(deps.consent, consentReads, deps.mfaPolicy, deps.profile, deps.brandSharing),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      clientCredentials: { enabled: true },
      // A client may introspect or revoke its own tokens; a resource server may introspect tokens issued for it.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId || [(token as { aud?: string | string[] }).aud].flat().includes(client.clientId),
      },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      // Devices without a keyboard (RFC 8628): the code entry and confirmation pages are Foyer's.
      deviceFlow: { enabled: true, charset: 'base-20', mask: '****-****', ...createDevicePages(views) },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => htmlPage(ctx, views, 'journey/logout', () => ({ title: t('journey.logout.title'), form, clientName: ctx.oidc.client?.clientName })),
        postLogoutSuccessSource: async (ctx) => htmlPage(ctx, views, 'journey/logged-out', () => ({ title: t('journey.logged_out.title'), clientName: ctx.oidc.client?.clientName })),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? undefined as unknown as string,
        useGrantedResource: () => false,
        // A client gets only the API scopes it was registered with, and only those the API defines.
        getResourceServerInfo: async (_ctx, resourceIndicator, client) => {
          // Foyer's own APIs (lite sign-up, admin): a client registered with the API's scope may get a token for it.
          const builtIn = ownResources.get(resourceIndicator);
          const resource = builtIn ? { id: resourceIndicator, scopes: builtIn } : await deps.resources.findResource(resourceIndicator);
          if (!resource) throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
          const allowed = new Set((metadataOf(client).foyer_api_scopes as string[] | undefined) ?? []);
          const scopes = resource.scopes.filter((s) => allowed.has(s));
          if (scopes.length === 0) throw new errors.InvalidTarget(`client ${client.clientId} may not use ${resourceIndicator}`);
          return {
            scope: scopes.join(' '),
            audience: resource.id,
            accessTokenTTL: config.tokens.accessTokenSeconds,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    issueRefreshToken: async (_ctx, client, source) => client.grantTypeAllowed('refresh_token')
      && (source.scopes.has('offline_access') || metadataOf(client).foyer_first_party === true),
    rotateRefreshToken: true,
    extraTokenClaims: accountTokenClaims as unknown as Configuration['extraTokenClaims'],
    ttl: {
      AccessToken: config.tokens.accessTokenSeconds,
      ClientCredentials: config.tokens.accessTokenSeconds,
      AuthorizationCode: 60,
      IdToken: config.tokens.idTokenSeconds,
      RefreshToken: config.tokens.refreshTokenSeconds,
      Grant: config.tokens.refreshTokenSeconds,
      Interaction: 3600,
      BackchannelAuthenticationRequest: 600,
      DeviceCode: 600,
      // Idle timeout on every use, capped by the absolute lifetime counted from sign-in.
      Session: (_ctx, session) => {
        const now = Math.floor(Date.now() / 1000);
        const started = session.loginTs ?? session.iat ?? now;
        return Math.max(1, Math.min(config.session.idleSeconds, started + config.session.absoluteSeconds - now));
      },
    },
    clientBasedCORS(_ctx, origin, client) {
      return ((client.redirectUris ?? []) as string[]).some((uri) => {
        try {
          return new URL(uri).origin === origin;
        } catch {
          return false;
        }
      });
    },
    // oidc-provider refuses special-use (loopback, private) addresses by default; OUTBOUND_ALLOW_PRIVATE lifts that.
    fetch: (url, options) => {
      if (config.outboundAllowPrivate) delete (options as { dispatcher?: unknown }).dispatcher;
      return globalThis.fetch(url, options);
    },
    renderError: async (ctx, out, error) => {
      if (isDatabaseUnavailable(error)) {
        return htmlPage(ctx, views, 'errors/oidc', () => ({ title: t('errors.unavailable.title'), error: 'temporarily_unavailable', description: t('errors.unavailable.message') }));
      }
      const status = (error as { status?: number }).status ?? 500;
      htmlPage(ctx, views, 'errors/oidc', () => ({
        title: status >= 500 ? t('errors.server.title') : t('errors.oidc.title'),
        error: out.error,
        description: status >= 500 ? t('errors.oidc.retry') : out.error_description,
      }));
    },
  };

  const provider = new Provider(config.issuer, configuration);
  // The same client address and public origin as Foyer's own app (src/http/proxy.ts).
  applyProxySettings(provider, { hops: config.trustProxy, issuer: config.issuer });
  // oidc-provider answers any failure it did not expect with 500 server_error (after rendering it); an
  // unreachable database becomes 503 with Retry-After, so no token is ever judged during an outage.
  const { metrics } = deps;
  if (metrics) {
    provider.on('grant.success', (ctx: KoaContextWithOIDC) => metrics.tokenGrant(grantTypeOf(ctx), 'success'));
    provider.on('grant.error', (ctx: KoaContextWithOIDC) => metrics.tokenGrant(grantTypeOf(ctx), 'error'));
  }
  // Token writes a request left waiting (deferred-writes.ts) are made before its answer goes out; when they
  // fail, the answer is that failure (503 for an unreachable database), never the tokens.
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      await flushPending().catch((error: unknown) => {
        ctx.status = 500;
        ctx.body = { error: 'server_error', error_description: 'oops! something went wrong' };
        provider.emit('server_error', ctx, error);
      });
    }
  });
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: unknown) => {
    if (!isDatabaseUnavailable(error)) return;
    ctx.status = 503;
    ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    ctx.set('Cache-Control', 'no-store');
    if (typeof ctx.body !== 'string') ctx.body = { error: 'temporarily_unavailable', error_description: 'The service is briefly unavailable; retry later.' };
  });
  return provider;
}

export type { ClientMetadata };
