// Owns signing in to /account as a first-party OIDC client of Foyer itself (openid-client, PKCE), the
// re-authentication for fresh-auth (prompt=login, max_age), and signing out (portal and OIDC session).
import Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import { t } from '../i18n/translate.ts';
import { PORTAL_CLIENT_ID, PORTAL_SCOPE, portalRedirectUri } from '../clients/own-pages.ts';
import { PORTAL_COOKIE, portalCookieOptions, startPortalSessionHere } from './session.ts';
import type { PortalDeps } from './types.ts';
import { lazyDiscovery, pageSignInFrom } from '../http/own-client.ts';

const LOGIN_COOKIE = 'foyer.account_login';
const LOGIN_TTL_MS = 15 * 60 * 1000;

const loginState = z.object({ verifier: z.string(), state: z.string(), nonce: z.string(), returnTo: z.string(), maxAge: z.number().optional() });
type LoginState = z.infer<typeof loginState>;

/** Only paths of the portal itself: never another site, never a protocol-relative URL. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/account(\/[\w\-/.%?=&]*)?$/.test(value) && !value.startsWith('//') && !value.includes('..') ? value : '/account/overview';
}

export function createSignInRouter(deps: PortalDeps): Router {
  const router = new Router({ prefix: '/account' });
  const discover = lazyDiscovery(deps.issuer, PORTAL_CLIENT_ID);
  const loginCookie = { ...portalCookieOptions(deps.secure), maxAge: LOGIN_TTL_MS };
  const readLogin = (ctx: Context): LoginState | undefined => {
    try {
      const parsed = loginState.safeParse(JSON.parse(ctx.cookies.get(LOGIN_COOKIE, { signed: true }) ?? 'null'));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  };

  router.get('/login', async (ctx) => {
    const maxAge = Number(ctx.query.max_age);
    const fresh = Number.isInteger(maxAge) && maxAge >= 0 && maxAge <= 86400 ? maxAge : undefined;
    const config = await discover();
    // A re-authentication names the account already signed in here, so the page asks only for the proof.
    const current = fresh !== undefined ? await deps.sessions.findPortalSession(ctx.cookies.get(PORTAL_COOKIE, { signed: true })) : undefined;
    const email = current && (await deps.services.accounts.findAccountById(current.accountId))?.email;
    const saved: LoginState = {
      verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), returnTo: safeReturnTo(ctx.query.return_to),
      ...(fresh !== undefined ? { maxAge: fresh } : {}),
    };
    ctx.cookies.set(LOGIN_COOKIE, JSON.stringify(saved), loginCookie);
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: portalRedirectUri(deps.issuer), scope: PORTAL_SCOPE, state: saved.state, nonce: saved.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(saved.verifier), code_challenge_method: 'S256',
      // Re-authentication for a destructive action: a new sign-in, whatever the session says.
      ...(fresh !== undefined ? { prompt: 'login', max_age: String(fresh) } : {}),
      ...(email ? { login_hint: email } : {}),
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    const saved = readLogin(ctx);
    if (!saved) throw new AppError('portal.no_state', t('portal.sign_in.no_state'), 400);
    const config = await discover();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, new URL(ctx.originalUrl, deps.issuer), {
        pkceCodeVerifier: saved.verifier, expectedState: saved.state, expectedNonce: saved.nonce, ...(saved.maxAge !== undefined ? { maxAge: saved.maxAge } : {}),
      });
    } catch (error) {
      const cancelled = error instanceof oidc.AuthorizationResponseError;
      throw new AppError(cancelled ? 'portal.sign_in_cancelled' : 'portal.sign_in_failed', t(cancelled ? 'portal.sign_in.cancelled' : 'portal.sign_in.failed'), 400);
    }
    ctx.cookies.set(LOGIN_COOKIE, null, loginCookie);
    const claims = tokens.claims()!;
    const signIn = pageSignInFrom(claims, await deps.accountTokens.describeAccessToken(tokens.access_token));
    if (!signIn) throw new AppError('portal.sign_in_failed', t('portal.sign_in.failed'), 400);
    // One portal session per browser: a re-authentication replaces the one before.
    await startPortalSessionHere(deps, ctx, signIn);
    const separator = saved.returnTo.includes('?') ? '&' : '?';
    ctx.redirect(saved.maxAge !== undefined ? `${saved.returnTo}${separator}reauthenticated=1` : saved.returnTo);
    ctx.status = 303;
  });

  router.post('/logout', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const session = await deps.sessions.findPortalSession(ctx.cookies.get(PORTAL_COOKIE, { signed: true }));
    if (session) {
      await deps.sessions.endPortalSession(session.id);
      // Signing out of the account pages signs this browser out of Foyer (its OIDC session) as well.
      if (session.oidcSessionUid) await deps.clientAccess.endSession(session.accountId, session.oidcSessionUid);
    }
    ctx.cookies.set(PORTAL_COOKIE, null, portalCookieOptions(deps.secure));
    ctx.redirect('/account/signed-out');
    ctx.status = 303;
  });

  router.get('/signed-out', (ctx) => {
    ctx.type = 'html';
    ctx.body = deps.services.views.render('portal/signed-out', { title: t('portal.signed_out.page_title'), csrfToken: ctx.state.csrfToken });
  });

  router.get('/', async (ctx) => {
    const session = await deps.sessions.findPortalSession(ctx.cookies.get(PORTAL_COOKIE, { signed: true }));
    if (session) return ctx.redirect('/account/overview');
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = deps.services.views.render('portal/welcome', { title: t('portal.welcome.title'), csrfToken: ctx.state.csrfToken, notice: ctx.query.sent ? t('portal.welcome.sent') : undefined });
  });

  return router;
}
