// Owns the portal's extension interface: what a section is, what every section receives, and the request
// state the portal middlewares leave behind (the signed-in customer, or the Account API token).
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Services } from '../compose.ts';
import type { Account } from '../accounts/queries.ts';
import type { PortalSession, PortalSessions } from '../accounts/portal-sessions.ts';
import { AppError } from '../errors/app-error.ts';
import type { Csrf } from '../http/csrf.ts';
import type { AccountToken, AccountTokenPort } from '../oidc/account-tokens.ts';
import type { ClientAccessPort } from '../oidc/client-access.ts';

export interface PortalDeps {
  /** Every domain service (type only: edges receive their services, they never build them). */
  services: Services;
  csrf: Csrf;
  issuer: string;
  secure: boolean;
  sessions: PortalSessions;
  accountTokens: AccountTokenPort;
  /** The protocol side of connected apps: grants per client, and revoking one client's access. */
  clientAccess: ClientAccessPort;
  /** Page routes: redirects through a fresh sign-in (prompt=login, max_age) when the last one is older. */
  requireFreshAuth(maxAgeSeconds?: number): Middleware;
  /** Account API routes: 401 `reauthentication_required` when the token's sign-in is older. */
  requireFreshApiAuth(maxAgeSeconds?: number): Middleware;
  /** Renders views/<view>.hbs inside the portal frame (nav, sign-out, CSRF token). */
  render(ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status?: number): void;
}

/**
 * One part of /account. Pages mount under /account/<id> behind requirePortalSession; the API under
 * /account/api/<id> behind a bearer token with the `account` scope. Sections are listed in sections/index.ts.
 */
export interface PortalSection {
  id: string;
  /** The section's name in the navigation: a catalogue key (portal.nav.<id>), shown in the reader's language. */
  title: string;
  /** Position in the navigation, lowest first (overview 10, security 20 … leave gaps). */
  navOrder: number;
  pages?(router: Router, deps: PortalDeps): void;
  api?(router: Router, deps: PortalDeps): void;
}

export interface PortalState {
  session: PortalSession;
  account: Account;
}

/** The signed-in customer of a page route (set by requirePortalSession). */
export function portalState(ctx: Context): PortalState {
  const state = ctx.state.portal as PortalState | undefined;
  if (!state) throw new AppError('portal.no_session', 'Sign in to see your account.', 401);
  return state;
}

/** The verified Account API token of an API route (set by requireAccountToken). */
export function accountToken(ctx: Context): AccountToken {
  const token = ctx.state.accountToken as AccountToken | undefined;
  if (!token) throw new AppError('invalid_token', 'Send an access token with the account scope as a Bearer token.', 401);
  return token;
}

/** Fresh-auth limit for destructive actions, in seconds. */
export const FRESH_AUTH_SECONDS = 300;
