// Owns the demo relying app at /demo: a real OIDC client (openid-client, public, PKCE) of this Foyer,
// so a newcomer can sign up, sign in and see what an app receives.
import Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import { AppError } from '../errors/app-error.ts';
import type { Csrf } from '../http/csrf.ts';
import type { Views } from '../http/views.ts';
import { lazyDiscovery } from '../http/own-client.ts';

export const DEMO_CLIENT_ID = 'demo';

/** The demo's own state: the sign-in in progress, or what it received after one. */
interface DemoCookie {
  verifier?: string;
  state?: string;
  idToken?: string;
  claims?: unknown;
  userinfo?: unknown;
  /** The scopes the customer granted the demo app at this sign-in. */
  scope?: string;
}
const COOKIE = 'foyer.demo';
export const DEMO_SCOPE = 'openid email profile';

interface DemoDeps {
  issuer: string;
  views: Views;
  csrf: Csrf;
  secure: boolean;
  /** What the account's next visit would ask (the demo shows it; a real app could not know it). */
  nextVisit?: (input: { accountId: string; grantedScopes: string[]; locales: string[] }) => Promise<{ visit: number; fields: { label: string; claim: string }[] }>;
}

export function demoRedirectUris(issuer: string) {
  return { redirectUri: `${issuer}/demo/callback`, postLogoutRedirectUri: `${issuer}/demo` };
}

export function createDemoRouter(deps: DemoDeps): Router {
  const router = new Router({ prefix: '/demo' });
  const { redirectUri, postLogoutRedirectUri } = demoRedirectUris(deps.issuer);
  const discover = lazyDiscovery(deps.issuer, DEMO_CLIENT_ID);
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: deps.secure, signed: true, path: '/demo' };
  const readState = (ctx: Context) => {
    try {
      return JSON.parse(ctx.cookies.get(COOKIE, { signed: true }) ?? '{}') as DemoCookie;
    } catch {
      return {};
    }
  };
  const page = (ctx: Context, data: { title: string; [key: string]: unknown }) => {
    ctx.type = 'html';
    ctx.body = deps.views.render('demo/index', { ...data, csrfToken: ctx.state.csrfToken });
  };

  router.get('/', async (ctx) => {
    const { claims, userinfo, scope } = readState(ctx);
    if (!claims) return page(ctx, { title: 'Demo app' });
    const sub = (claims as { sub?: unknown }).sub;
    const next = deps.nextVisit && typeof sub === 'string'
      ? await deps.nextVisit({ accountId: sub, grantedScopes: (scope ?? '').split(' ').filter(Boolean), locales: ['en'] })
      : undefined;
    page(ctx, {
      title: 'Signed in', signedIn: true, grantedScope: scope, idTokenClaims: JSON.stringify(claims, null, 2), userinfo: JSON.stringify(userinfo, null, 2),
      nextVisit: next?.visit, nextFields: next?.fields,
    });
  });

  router.post('/login', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const config = await discover();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    ctx.cookies.set(COOKIE, JSON.stringify({ verifier, state }), cookieOptions);
    ctx.redirect(oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: DEMO_SCOPE, state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).href);
    ctx.status = 303;
  });

  router.get('/callback', async (ctx) => {
    const saved = readState(ctx);
    if (!saved.verifier || !saved.state) throw new AppError('demo.no_state', 'This sign-in was not started here. Start again from the demo page.', 400);
    const config = await discover();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, new URL(ctx.originalUrl, deps.issuer), { pkceCodeVerifier: saved.verifier, expectedState: saved.state });
    } catch (error) {
      const message = error instanceof oidc.AuthorizationResponseError ? `${error.error}: ${error.error_description ?? ''}` : 'The sign-in could not be completed.';
      throw new AppError('demo.callback_failed', message, 400);
    }
    const claims = tokens.claims()!;
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    // Keep what the app received and leave the callback URL, so a reload does not replay the code.
    ctx.cookies.set(COOKIE, JSON.stringify({ idToken: tokens.id_token, claims, userinfo, scope: tokens.scope ?? DEMO_SCOPE } satisfies DemoCookie), cookieOptions);
    ctx.redirect('/demo');
    ctx.status = 303;
  });

  router.post('/logout', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const config = await discover();
    const { idToken } = readState(ctx);
    ctx.cookies.set(COOKIE, null, cookieOptions);
    ctx.redirect(oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: postLogoutRedirectUri, ...(idToken ? { id_token_hint: idToken } : {}) }).href);
    ctx.status = 303;
  });

  return router;
}
