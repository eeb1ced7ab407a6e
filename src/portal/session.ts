// Owns the portal's cookie and requirePortalSession: a signed HttpOnly cookie naming a server-side
// session, which lives only while its OIDC session does and its account may still sign in.
import type { Context, Next } from 'koa';
import type { NewPortalSession } from '../accounts/portal-sessions.ts';
import { addLanguageSignals } from '../i18n/request-language.ts';
import type { PortalDeps } from './types.ts';

export const PORTAL_COOKIE = 'foyer.account';
const SIGN_IN_ALLOWED = new Set(['active', 'restricted', 'lite']);

export function portalCookieOptions(secure: boolean) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, signed: true, path: '/account', overwrite: true };
}

/** Where a page of /account that needs a session sends a visitor without one (or with an ended one). */
export function signInRedirect(ctx: Context, returnTo: string): void {
  ctx.redirect(`/account/login?return_to=${encodeURIComponent(returnTo)}`);
  ctx.status = 303;
}

/** The section root of a path (/account/security/passkeys/x → /account/security): where a POST comes back to. */
export function sectionRoot(path: string): string {
  const [, account, section] = path.split('/');
  return account === 'account' && section ? `/account/${section}` : '/account';
}

/** Starts a portal session in this browser (replacing the one it had) and sets its cookie. */
export async function startPortalSessionHere(deps: Pick<PortalDeps, 'sessions' | 'secure'>, ctx: Context, input: Omit<NewPortalSession, 'userAgent'>): Promise<void> {
  const previous = await deps.sessions.findPortalSession(ctx.cookies.get(PORTAL_COOKIE, { signed: true }));
  if (previous) await deps.sessions.endPortalSession(previous.id);
  const { token } = await deps.sessions.startPortalSession({ ...input, userAgent: ctx.get('user-agent') });
  ctx.cookies.set(PORTAL_COOKIE, token, portalCookieOptions(deps.secure));
}

export function createRequirePortalSession(deps: Pick<PortalDeps, 'sessions' | 'services' | 'secure'>) {
  return async function requirePortalSession(ctx: Context, next: Next): Promise<void> {
    const token = ctx.cookies.get(PORTAL_COOKIE, { signed: true });
    const session = await deps.sessions.findPortalSession(token);
    const account = session && await deps.services.accounts.findAccountById(session.accountId);
    // A session lives while its OIDC session does; only one started by a mailed link has none (standalone).
    const oidcLive = session && (session.standalone || (session.oidcSessionUid !== null && await deps.services.protocol.isSessionActive(session.accountId, session.oidcSessionUid)));
    if (!session || !account || !SIGN_IN_ALLOWED.has(account.status) || !oidcLive) {
      if (session) await deps.sessions.endPortalSession(session.id);
      if (token) ctx.cookies.set(PORTAL_COOKIE, null, portalCookieOptions(deps.secure));
      return signInRedirect(ctx, ctx.method === 'GET' ? ctx.originalUrl : sectionRoot(ctx.path));
    }
    ctx.state.portal = { session, account };
    // The customer's saved language speaks for them here (after a switcher choice and before Accept-Language).
    const saved = await deps.services.profile.savedLocale(account.id);
    if (saved) addLanguageSignals({ saved });
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
