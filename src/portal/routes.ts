// Owns assembling /account: the sign-in routes, then each section of sections/index.ts mounted under
// /account/<id> (pages, signed-in customers) and /account/api/<id> (Account API, bearer tokens).
import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { Services } from '../compose.ts';
import type { Csrf } from '../http/csrf.ts';
import type { AccountTokenPort } from '../oidc/account-tokens.ts';
import type { ClientAccessPort } from '../oidc/client-access.ts';
import { API_PREFIX, createAccountApiCors, createRequireAccountToken } from './api.ts';
import { createRequireFreshAuth, requireFreshApiAuth } from './fresh-auth.ts';
import { createPortalRender } from './render.ts';
import { PORTAL_SECTIONS } from './sections/index.ts';
import { createRequirePortalSession } from './session.ts';
import { createSignInRouter } from './sign-in.ts';
import { createErasureCancelRouter } from './erasure-cancel.ts';
import { createLinkSignInRouter } from './link-sign-in.ts';
import type { PortalDeps, PortalSection } from './types.ts';

export interface PortalOptions {
  services: Services;
  csrf: Csrf;
  secure: boolean;
  accountTokens: AccountTokenPort;
  clientAccess: ClientAccessPort;
  sections?: PortalSection[];
}

/** The koa middlewares of /account, in the order to app.use them. */
export function createPortal(options: PortalOptions): Middleware[] {
  const sections = options.sections ?? PORTAL_SECTIONS;
  const deps: PortalDeps = {
    services: options.services,
    csrf: options.csrf,
    issuer: options.services.config.issuer,
    secure: options.secure,
    sessions: options.services.portalSessions,
    accountTokens: options.accountTokens,
    clientAccess: options.clientAccess,
    requireFreshAuth: createRequireFreshAuth(options.csrf),
    requireFreshApiAuth,
    render: createPortalRender(options.services.views, sections),
  };
  const requirePortalSession = createRequirePortalSession(deps);
  const requireAccountToken = createRequireAccountToken(deps);
  const routers: Router[] = [createSignInRouter(deps), createLinkSignInRouter(deps), createErasureCancelRouter(deps)];
  for (const section of sections) {
    if (section.pages) {
      const router = new Router({ prefix: `/account/${section.id}` });
      router.use(requirePortalSession);
      section.pages(router, deps);
      routers.push(router);
    }
    if (section.api) {
      const router = new Router({ prefix: `${API_PREFIX}/${section.id}` });
      router.use(requireAccountToken);
      section.api(router, deps);
      routers.push(router);
    }
  }
  return [createAccountApiCors(deps), ...routers.flatMap((r) => [r.routes(), r.allowedMethods()] as unknown as Middleware[])];
}
