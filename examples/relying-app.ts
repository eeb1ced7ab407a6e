// A minimal relying web app for Foyer with openid-client: authorization code + PKCE, refresh, RP-initiated logout.
// Run it against a Foyer where it is registered as a confidential client:
//
//   npx foyer clients add --client-id example-app --redirect-uri http://localhost:4000/callback \
//     --post-logout-redirect-uri http://localhost:4000/ --scope "openid email profile offline_access"
//   ISSUER=http://localhost:3000 CLIENT_ID=example-app CLIENT_SECRET=… node examples/relying-app.ts
//
// Then open http://localhost:4000. Sessions are kept in memory: this is an example, not a framework.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';

export interface RelyingAppOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where this app is reached, e.g. http://localhost:4000 (its redirect URI is this + /callback). */
  baseUrl: string;
  port: number;
}

interface Session {
  verifier?: string;
  state?: string;
  tokens?: { idToken: string; accessToken: string; refreshToken?: string | undefined; claims: oidc.IDToken };
  userinfo?: oidc.UserInfoResponse;
  refreshes?: number;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startRelyingApp(options: RelyingAppOptions): Promise<{ server: Server; url: string }> {
  // Discovery; plain http is allowed only for an issuer on this machine (development).
  const local = ['localhost', '127.0.0.1'].includes(new URL(options.issuer).hostname);
  const config = await oidc.discovery(new URL(options.issuer), options.clientId, options.clientSecret, undefined,
    local ? { execute: [oidc.allowInsecureRequests] } : undefined);
  const sessions = new Map<string, Session>();
  const redirectUri = `${options.baseUrl}/callback`;

  function session(req: IncomingMessage, res: ServerResponse): Session {
    const id = /(?:^|;\s*)app_session=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (id && sessions.has(id)) return sessions.get(id)!;
    const fresh = randomBytes(24).toString('base64url');
    sessions.set(fresh, {});
    res.setHeader('set-cookie', `app_session=${fresh}; HttpOnly; SameSite=Lax; Path=/`);
    return sessions.get(fresh)!;
  }
  const redirect = (res: ServerResponse, location: string): void => void res.writeHead(303, { location }).end();
  const html = (res: ServerResponse, body: string, status = 200): void =>
    void res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>Example app</title>${body}`);

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse, s: Session, url: URL) => Promise<void>> = {
    async '/'(_req, res, s) {
      if (!s.tokens) return html(res, '<h1>Example app</h1><p><a href="/login">Sign in</a></p>');
      html(res, `<h1>Signed in</h1><h2>ID token claims</h2><pre id="claims">${escape(JSON.stringify(s.tokens.claims, null, 2))}</pre>
        <h2>Userinfo</h2><pre id="userinfo">${escape(JSON.stringify(s.userinfo, null, 2))}</pre>
        <p id="refreshes">Tokens refreshed ${s.refreshes ?? 0} times.</p>
        <p><a href="/refresh">Refresh the tokens</a> · <a href="/logout">Sign out</a></p>`);
    },
    // 1. Send the browser to Foyer with a fresh PKCE verifier and state, kept in this app's session.
    async '/login'(_req, res, s) {
      s.verifier = oidc.randomPKCECodeVerifier();
      s.state = oidc.randomState();
      redirect(res, oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: 'openid email profile offline_access', prompt: 'consent',
        code_challenge: await oidc.calculatePKCECodeChallenge(s.verifier), code_challenge_method: 'S256', state: s.state,
      }).href);
    },
    // 2. Foyer sends the browser back with a code: redeem it (checking state and PKCE), then read userinfo.
    async '/callback'(_req, res, s, url) {
      if (!s.verifier || !s.state) return html(res, '<p>This sign-in was not started here. <a href="/login">Start again</a></p>', 400);
      const tokens = await oidc.authorizationCodeGrant(config, url, { pkceCodeVerifier: s.verifier, expectedState: s.state });
      const claims = tokens.claims()!;
      s.tokens = { idToken: tokens.id_token!, accessToken: tokens.access_token, refreshToken: tokens.refresh_token, claims };
      s.userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      delete s.verifier;
      delete s.state;
      redirect(res, '/');
    },
    // 3. Refresh: Foyer rotates the refresh token at each use, so keep the new one.
    async '/refresh'(_req, res, s) {
      if (!s.tokens?.refreshToken) return redirect(res, '/');
      const tokens = await oidc.refreshTokenGrant(config, s.tokens.refreshToken);
      s.tokens = { ...s.tokens, accessToken: tokens.access_token, refreshToken: tokens.refresh_token ?? s.tokens.refreshToken };
      s.userinfo = await oidc.fetchUserInfo(config, tokens.access_token, s.tokens.claims.sub);
      s.refreshes = (s.refreshes ?? 0) + 1;
      redirect(res, '/');
    },
    // 4. Sign out here, then at Foyer (RP-initiated logout), which comes back to this app's home page.
    async '/logout'(_req, res, s) {
      const idToken = s.tokens?.idToken;
      delete s.tokens;
      delete s.userinfo;
      delete s.refreshes;
      redirect(res, oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: `${options.baseUrl}/`, ...(idToken ? { id_token_hint: idToken } : {}) }).href);
    },
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', options.baseUrl);
    const route = routes[url.pathname];
    if (!route || req.method !== 'GET') return html(res, '<p>Not found</p>', 404);
    route(req, res, session(req, res), url).catch((error: unknown) => {
      const message = error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError ? `${error.error}: ${error.error_description ?? ''}` : 'The sign-in failed.';
      html(res, `<p>${escape(message)}</p><p><a href="/">Home</a></p>`, 400);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

if (import.meta.main) {
  const port = Number(process.env.PORT ?? 4000);
  const { url } = await startRelyingApp({
    issuer: process.env.ISSUER ?? 'http://localhost:3000',
    clientId: process.env.CLIENT_ID ?? 'example-app',
    clientSecret: process.env.CLIENT_SECRET ?? '',
    baseUrl: process.env.BASE_URL ?? `http://localhost:${port}`,
    port,
  });
  console.log(`example app listening on ${url}`);
}
