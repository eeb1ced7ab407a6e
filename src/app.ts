// Owns assembling the koa app: shared middleware, Foyer's routers, then oidc-provider for everything else.
import Koa, { type Context, type Next } from 'koa';
import { createAccountSignOut } from './accounts/sign-out.ts';
import { adminApiProblems, createAdminApiRouter } from './admin/api.ts';
import { createAdminPages } from './admin/pages/routes.ts';
import { createAdminCustomerCare } from './admin/customer-care-ports.ts';
import { createDemoRouter } from './demo/routes.ts';
import { createJourneyRouter, type JourneyDeps } from './journey/routes.ts';
import { createMfaRouter } from './journey/mfa-routes.ts';
import { createSignInDevices } from './journey/device-cookie.ts';
import { createEmailCodeRouter } from './journey/email-code-routes.ts';
import { createMagicLinkRouter } from './journey/magic-link-routes.ts';
import { createPasskeyRouter } from './journey/passkey-routes.ts';
import { createErasureRouter } from './journey/erasure-routes.ts';
import { createProfileRouter } from './journey/profile-routes.ts';
import { createSharingRouter } from './journey/sharing-routes.ts';
import { createCaptureRouter } from './journey/capture-routes.ts';
import { createConnectorButtons, createFederationRouters } from './journey/federation-routes.ts';
import { createLinkAfterSecondFactor } from './journey/federation-link-routes.ts';
import type { Logger } from './log.ts';
import type { ProviderHost } from './oidc/host.ts';
import { acceptSecretInBody } from './oidc/client-auth.ts';
import { createAccountTokenPort } from './oidc/account-tokens.ts';
import { createClientAccessPort } from './oidc/client-access.ts';
import { grantFromConsent } from './oidc/grants.ts';
import { createPortal } from './portal/routes.ts';
import { PORTAL_COOKIE } from './portal/session.ts';
import { PORTAL_CLIENT_ID } from './clients/own-pages.ts';
import { ADMIN_COOKIE } from './admin/pages/sign-in.ts';
import { isProviderApiPath, isProviderPath, providerRequestHandler, providerRoute, type Provider } from './oidc/provider.ts';
import { deriveKey } from './security/keys.ts';
import type { Services } from './compose.ts';
import { serveAssets } from './http/assets.ts';
import { checkInput } from './http/body.ts';
import { requestWithBody } from './http/checked-request.ts';
import { createCsrf } from './http/csrf.ts';
import { errorHandler } from './http/errors.ts';
import { createOperationsRouter } from './http/operations.ts';
import { createMetricsRouter, requestMetrics } from './http/metrics.ts';
import { applyProxySettings } from './http/proxy.ts';
import type { Lifecycle } from './http/lifecycle.ts';
import { createConsentRouter } from './http/consent-routes.ts';
import { securityHeaders } from './http/security-headers.ts';
import { requestLanguage } from './http/language.ts';
import { brandScope, serveBrandFiles } from './http/brand.ts';

export interface AppOptions {
  services: Services;
  host: ProviderHost;
  log: Logger;
  demo: boolean;
  devOutbox: boolean;
  /** Readiness turns 503 once the instance drains before stopping. */
  lifecycle?: Lifecycle;
}

export function createApp(options: AppOptions): Koa {
  const { services, host, log } = options;
  const { config } = services;
  const secure = config.issuer.startsWith('https:');
  const app = new Koa({ keys: [deriveKey(config.secret, 'app-cookies').toString('base64url')] });
  applyProxySettings(app, { hops: config.trustProxy, issuer: config.issuer });
  // A form's token is bound to the session it acts for on the account and admin pages (see csrf.ts).
  const csrf = createCsrf(deriveKey(config.secret, 'csrf'), secure, [
    { prefix: '/account', sessionCookie: PORTAL_COOKIE, linkPages: ['/account/link/', '/account/erasure/cancel/'] },
    { prefix: '/admin', sessionCookie: ADMIN_COOKIE },
  ]);
  app.silent = true;

  app.use(requestMetrics(services.metrics));
  app.use(securityHeaders(secure));
  // Outside the error handler, so error pages speak the reader's language too.
  app.use(requestLanguage(secure));
  app.use(brandScope(services.brands, log, secure, [PORTAL_CLIENT_ID]));
  app.use(errorHandler(services.views, log));
  // Inside the error handler and before the input checks, so every admin API error (413 and 400 of the body too) is problem+json.
  app.use(adminApiProblems(log));
  app.use(serveAssets());
  app.use(serveBrandFiles(services.brands));
  app.use(checkInput);
  // The protocol's API endpoints (token, userinfo, keys, discovery) go straight to the Provider: none of the
  // routers below claims them, and skipping their matching is a measurable share of a token request's CPU.
  const toProvider = providerDispatch(host);
  app.use((ctx, next) => (isProviderApiPath(ctx.path) ? toProvider(ctx) : next()));
  app.use(csrf.provideToken);

  const operations = createOperationsRouter({
    db: services.db, views: services.views, devOutbox: options.devOutbox ? services.devOutbox : undefined, draining: () => options.lifecycle?.draining ?? false,
  });
  app.use(operations.routes());
  app.use(createMetricsRouter({ metrics: services.metrics, token: config.metrics.token }).routes());
  const consentPages = createConsentRouter({ ...services, csrf });
  app.use(consentPages.routes()).use(consentPages.allowedMethods());

  const clientAccess = createClientAccessPort(() => host.current(), services.db, log);
  const journeyDeps: JourneyDeps = {
    ...services, provider: () => host.current(), csrf, passwordMinLength: config.password.minLength, devices: createSignInDevices(services.deviceWatch, secure),
    signOut: createAccountSignOut({ protocol: clientAccess, portalSessions: services.portalSessions }), grantFromConsent,
    stampSignIn: async (accountId, amr) => {
      const { restricted } = await services.accounts.stampSignIn(accountId);
      await services.events.emit({ type: 'account.signed_in', accountId, restricted, data: { channel: 'journey', methods: [...amr] } });
    },
  };
  const federationDeps = { ...services, ...journeyDeps, secureCookies: secure };
  journeyDeps.connectorButtons = createConnectorButtons(federationDeps);
  const journey = createJourneyRouter(journeyDeps);
  app.use(journey.routes()).use(journey.allowedMethods());
  for (const router of createFederationRouters(federationDeps)) app.use(router.routes()).use(router.allowedMethods());
  const erasure = createErasureRouter(journeyDeps);
  app.use(erasure.routes()).use(erasure.allowedMethods());
  const mfa = createMfaRouter({ ...journeyDeps, mfaStep: services.mfaStep, enrolProof: services.enrolProof, rememberedDevices: services.rememberedDevices, passkeys: services.passkeys, secureCookies: secure, afterSecondFactor: createLinkAfterSecondFactor(federationDeps) });
  app.use(mfa.routes()).use(mfa.allowedMethods());
  const emailDeps = { ...journeyDeps, emailSignIn: services.emailSignIn, secureCookies: secure };
  for (const router of [createEmailCodeRouter(emailDeps), createMagicLinkRouter(emailDeps)]) app.use(router.routes()).use(router.allowedMethods());
  const passkeys = createPasskeyRouter({ ...services, ...journeyDeps, secureCookies: secure });
  app.use(passkeys.routes()).use(passkeys.allowedMethods());
  const profile = createProfileRouter(journeyDeps);
  app.use(profile.routes()).use(profile.allowedMethods());
  const sharing = createSharingRouter(journeyDeps);
  app.use(sharing.routes()).use(sharing.allowedMethods());
  const capture = createCaptureRouter({ ...journeyDeps, liteCapture: services.liteCapture, clients: services.clients, issuer: config.issuer, publicKeys: () => services.signingKeys.loadPublicKeys(), formKey: deriveKey(config.secret, 'capture-form') });
  app.use(capture.routes()).use(capture.allowedMethods());

  const customerCare = createAdminCustomerCare(services, clientAccess);
  const adminApi = createAdminApiRouter({
    services, customerCare, clientAccess, issuer: config.issuer, publicKeys: () => services.signingKeys.loadPublicKeys(), onProtocolChanged: async () => void (await host.refreshIfKeysChanged()),
  });
  app.use(adminApi.routes()).use(adminApi.allowedMethods());

  const accountTokens = createAccountTokenPort(() => host.current());
  for (const middleware of createAdminPages({ services, csrf, issuer: config.issuer, secure, accountTokens, clientAccess, customerCare, onProtocolChanged: async () => void (await host.refreshIfKeysChanged()) })) app.use(middleware);

  const portal = createPortal({ services, csrf, secure, accountTokens, clientAccess });
  for (const middleware of portal) app.use(middleware);

  if (options.demo) {
    const demo = createDemoRouter({ issuer: config.issuer, views: services.views, csrf, secure, nextVisit: (input) => services.profile.nextVisit(input) });
    app.use(demo.routes()).use(demo.allowedMethods());
  }

  // Everything else is the protocol (its pages among them): hand the raw request to the current Provider (a koa app too).
  app.use((ctx, next) => (isProviderPath(ctx.path) ? toProvider(ctx) : next()));
  return app;
}

/** Hands a request to the current Provider's own request handler (one per Provider: keys rotate by rebuilding it). */
function providerDispatch(host: ProviderHost): (ctx: Context) => Promise<void> {
  const handlers = new WeakMap<Provider, ReturnType<typeof providerRequestHandler>>();
  return async (ctx) => {
    ctx.state.metricsRoute = providerRoute(ctx.path);
    const provider = host.current();
    let handler = handlers.get(provider);
    if (!handler) handlers.set(provider, (handler = providerRequestHandler(provider)));
    const body = acceptSecretInBody(ctx);
    ctx.respond = false;
    // The input checks consumed the body: the Provider reads the checked text as a stream of its own.
    await handler(body === undefined ? ctx.req : requestWithBody(ctx.req, body), ctx.res);
  };
}
