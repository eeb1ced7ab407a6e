// Owns signing in to the admin pages (/admin) as a first-party OIDC client of Foyer itself (openid-client,
// PKCE), asking for a second factor unless configured otherwise, letting in only accounts in the admins
// table, and keeping an `admin`-realm server-side session in a cookie scoped to /admin.
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import * as oidc from 'openid-client';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { t } from '../../i18n/translate.ts';
import type { AdminPageDeps } from './types.ts';
import { ADMIN_CLIENT_ID, ADMIN_PAGES_SCOPE, adminRedirectUri } from '../../clients/own-pages.ts';
import { SECOND_FACTOR_ACR } from './client.ts';
import { lazyDiscovery, pageSignInFrom } from '../../http/own-client.ts';

export const ADMIN_COOKIE = 'foyer.admin';
const LOGIN_COOKIE = 'foyer.admin_login';
const LOGIN_TTL_MS = 15 * 60 * 1000;
const SIGN_IN_ALLOWED = new Set(['active', 'restricted']);

const loginState = z.object({ verifier: z.string(), state: z.string(), nonce: z.string(), returnTo: z.string() });

const cookieOptions = (secure: boolean) => ({ httpOnly: true, sameSite: 'lax' as const, secure, signed: true, path: '/admin', overwrite: true });

/** Only paths of the admin pages: never another site, never a protocol-relative URL. */
export function safeAdminReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/admin(\/[\w\-/.%?=&]*)?$/.test(value) && !value.startsWith('//') && !value.includes('..') && !value.startsWith('/admin/api') ? value : '/admin';
}

function refusal(deps: AdminPageDeps, ctx: Context, message: string): void {
  ctx.status = 403;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = deps.services.views.render('admin/refused', { title: t('admin.refused.title'), message, csrfToken: ctx.state.csrfToken });
}

export function createAdminSignInRouter(deps: AdminPageDeps): Router {
  const router = new Router({ prefix: '/admin' });
  const secondFactor = deps.services.config.admin.requireSecondFactor;
  const discover = lazyDiscovery(deps.issuer, ADMIN_CLIENT_ID);

  router.get('/login', async (ctx) => {
    const config = await discover();
    const saved = { verifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce(), returnTo: safeAdminReturnTo(ctx.query.return_to) };
    ctx.cookies.set(LOGIN_COOKIE, JSON.stringify(saved), { ...cookieOptions(deps.secure), maxAge: LOGIN_TTL_MS });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: adminRedirectUri(deps.issuer), scope: ADMIN_PAGES_SCOPE, state: saved.state, nonce: saved.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(saved.verifier), code_challenge_method: 'S256',
      ...(secondFactor ? { acr_values: SECOND_FACTOR_ACR } : {}),
    });
    ctx.redirect(url.href);
  });

  router.get('/callback', async (ctx) => {
    let saved: z.infer<typeof loginState> | undefined;
    try {
      const parsed = loginState.safeParse(JSON.parse(ctx.cookies.get(LOGIN_COOKIE, { signed: true }) ?? 'null'));
      saved = parsed.success ? parsed.data : undefined;
    } catch {
      saved = undefined;
    }
    if (!saved) throw new AppError('admin.no_state', 'This sign-in was not started here, or took too long. Open the admin pages and sign in again.', 400);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(await discover(), new URL(ctx.originalUrl, deps.issuer), { pkceCodeVerifier: saved.verifier, expectedState: saved.state, expectedNonce: saved.nonce });
    } catch {
      throw new AppError('admin.sign_in_failed', 'The sign-in was not completed. Open the admin pages to try again.', 400);
    }
    ctx.cookies.set(LOGIN_COOKIE, null, cookieOptions(deps.secure));
    const claims = tokens.claims()!;
    if (secondFactor && claims.acr !== SECOND_FACTOR_ACR) return refusal(deps, ctx, t('admin.refused.second_factor'));
    if (!(await deps.services.admins.isAdmin(claims.sub))) {
      return refusal(deps, ctx, t('admin.refused.not_admin'));
    }
    const signIn = pageSignInFrom(claims, await deps.accountTokens.describeAccessToken(tokens.access_token));
    if (!signIn) throw new AppError('admin.sign_in_failed', 'The sign-in was not completed. Open the admin pages to try again.', 400);
    const previous = await deps.services.portalSessions.findPortalSession(ctx.cookies.get(ADMIN_COOKIE, { signed: true }), 'admin');
    if (previous) await deps.services.portalSessions.endPortalSession(previous.id);
    const { token } = await deps.services.portalSessions.startPortalSession({ realm: 'admin', ...signIn, userAgent: ctx.get('user-agent') });
    ctx.cookies.set(ADMIN_COOKIE, token, cookieOptions(deps.secure));
    ctx.redirect(saved.returnTo);
    ctx.status = 303;
  });

  router.post('/logout', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const session = await deps.services.portalSessions.findPortalSession(ctx.cookies.get(ADMIN_COOKIE, { signed: true }), 'admin');
    if (session) {
      await deps.services.portalSessions.endPortalSession(session.id);
      // Signing out of the admin pages signs this browser out of Foyer (its OIDC session) as well.
      if (session.oidcSessionUid) await deps.clientAccess.endSession(session.accountId, session.oidcSessionUid);
    }
    ctx.cookies.set(ADMIN_COOKIE, null, cookieOptions(deps.secure));
    ctx.redirect('/admin/signed-out');
    ctx.status = 303;
  });

  router.get('/signed-out', (ctx) => {
    ctx.type = 'html';
    ctx.body = deps.services.views.render('admin/signed-out', { title: t('admin.signed_out.title'), csrfToken: ctx.state.csrfToken });
  });
  return router;
}

/** A live admin session whose account is still an administrator that may sign in, and whose OIDC session lives; its role in state.admin. */
export function createRequireAdminSession(deps: AdminPageDeps) {
  return async function requireAdminSession(ctx: Context, next: Next): Promise<void> {
    const token = ctx.cookies.get(ADMIN_COOKIE, { signed: true });
    const session = await deps.services.portalSessions.findPortalSession(token, 'admin');
    const account = session && await deps.services.accounts.findAccountById(session.accountId);
    const role = session && account ? await deps.services.admins.roleOf(account.id) : undefined;
    const live = session && account && SIGN_IN_ALLOWED.has(account.status) && role
      // An admin session always comes from an OIDC sign-in: without its OIDC session it is not live.
      && Boolean(session.oidcSessionUid) && (await deps.services.protocol.isSessionActive(account.id, session.oidcSessionUid!));
    if (!live) {
      if (session) await deps.services.portalSessions.endPortalSession(session.id);
      if (token) ctx.cookies.set(ADMIN_COOKIE, null, cookieOptions(deps.secure));
      ctx.redirect(`/admin/login?return_to=${encodeURIComponent(ctx.method === 'GET' ? ctx.originalUrl : '/admin')}`);
      ctx.status = 303;
      return;
    }
    ctx.state.admin = { session, account, role };
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
