// The ceiling for the token endpoints and userinfo: the same oidc-provider, configured like Foyer for
// these requests (ES256, refresh rotation, resource indicators with ES256 JWT access tokens, session-
// bound tokens, the same clients) but with its in-memory adapter and static clients — no database, no
// koa app in front. Run as a child process by bench/run.ts; prints one JSON line
// {port, webClient, serviceClient, resource, refreshTokens, accessToken} on stdout once it listens.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type Configuration } from 'oidc-provider';

const port = Number(process.env.PORT ?? 0);
const chains = Number(process.env.BARE_CHAINS ?? 16);
const secret = process.env.BARE_CLIENT_SECRET ?? randomBytes(32).toString('base64url');
const issuer = `http://localhost:${port}`;

const WEB_CLIENT = 'bench-web';
const SERVICE_CLIENT = 'bench-service';
const RESOURCE = 'https://api.bench.test';
const CALLBACK = 'http://127.0.0.1:9/callback';
const SCOPE = 'openid email';

async function main(): Promise<void> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' };
  const cookieOptions = { signed: true, httpOnly: true, sameSite: 'lax' as const, secure: false };

  const configuration: Configuration = {
    jwks: { keys: [jwk as never] },
    clients: [
      {
        client_id: WEB_CLIENT, client_secret: secret, redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'], scope: SCOPE, token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256',
      },
      {
        client_id: SERVICE_CLIENT, client_secret: secret, redirect_uris: [], grant_types: ['client_credentials'], response_types: [],
        scope: 'openid', token_endpoint_auth_method: 'client_secret_basic', // as Foyer stores it: API scopes are not OIDC client scopes
      },
    ],
    cookies: { keys: [randomBytes(32).toString('base64url')], long: cookieOptions, short: cookieOptions },
    findAccount: async (_ctx, sub) => ({
      accountId: sub,
      claims: async () => ({ sub, email: `${sub}@bench.test`, email_verified: true }),
    }),
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'offline_access', 'email'],
    responseTypes: ['code'],
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], id_token_signed_response_alg: 'ES256', response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? undefined as unknown as string,
        useGrantedResource: () => false,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== RESOURCE) throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
          return { scope: 'read', audience: RESOURCE, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
        },
      },
    },
    rotateRefreshToken: true,
    ttl: { AccessToken: 600, ClientCredentials: 600, AuthorizationCode: 60, IdToken: 3600, RefreshToken: 30 * 24 * 3600, Grant: 30 * 24 * 3600, Session: 14 * 24 * 3600, Interaction: 3600 },
  };
  const provider = new Provider(issuer, configuration);

  // Mint what a sign-in would leave behind, as Foyer's first-party sign-in does: a session, a grant for
  // "openid email", and session-bound tokens (no offline_access, so they expire with the session).
  const found = await provider.Client.find(WEB_CLIENT);
  if (!found) throw new Error('the web client is missing');
  const client = found;
  const now = Math.floor(Date.now() / 1000);
  async function mint(accountId: string) {
    const grant = new provider.Grant({ accountId, clientId: WEB_CLIENT });
    grant.addOIDCScope(SCOPE);
    grant.addOIDCClaims(['email', 'email_verified']);
    const grantId = await grant.save();
    const session = new provider.Session();
    session.loginAccount({ accountId, loginTs: now, amr: ['pwd'], acr: 'urn:foyer:acr:1fa' });
    session.grantIdFor(WEB_CLIENT, grantId);
    const sid = randomBytes(16).toString('base64url');
    session.sidFor(WEB_CLIENT, sid);
    await session.save(14 * 24 * 3600);
    const common = { client, accountId, grantId, gty: 'authorization_code', scope: SCOPE, sessionUid: session.uid, sid, expiresWithSession: true };
    const refreshToken = await new provider.RefreshToken({ ...common, authTime: now, acr: 'urn:foyer:acr:1fa', amr: ['pwd'] }).save();
    const accessToken = await new provider.AccessToken({ ...common }).save();
    return { refreshToken, accessToken };
  }
  const minted = [];
  for (let i = 0; i < Math.max(1, chains); i++) minted.push(await mint(`account-${i}`));

  // oidc-provider's in-memory adapter is an LRU of 1,000 entries: a token minted at start is long evicted
  // once the refresh scenario has run, so the parent asks for a fresh access token here when it needs one.
  const callback = provider.callback();
  const server = createServer((req, res) => {
    if (req.url !== '/__bench/access-token') return callback(req, res);
    mint(`account-${randomBytes(4).toString('hex')}`).then(
      ({ accessToken }) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accessToken })),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.stdout.write(`${JSON.stringify({
    port: (server.address() as AddressInfo).port,
    webClient: WEB_CLIENT,
    serviceClient: SERVICE_CLIENT,
    resource: RESOURCE,
    refreshTokens: minted.map((m) => m.refreshToken),
    accessToken: minted[0]!.accessToken,
  })}\n`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare provider: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
