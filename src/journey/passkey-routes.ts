// Owns the passkey pages under /interaction/:uid/passkey: sign-in options and answer (from the email
// page), and the "Sign in faster next time" offer after a password sign-in (add a passkey, or not now).
import { t } from '../i18n/translate.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountQueries } from '../accounts/queries.ts';
import type { WebauthnSettings } from '../config/webauthn.ts';
import { describePasskeyRefusal } from '../authn/passkey/authentication.ts';
import { defaultPasskeyName } from '../authn/passkey/manage.ts';
import type { HeldLogin } from '../authn/passkey/offer.ts';
import { describeRegistrationRefusal } from '../authn/passkey/registration.ts';
import type { PasskeyService } from '../authn/passkey/service.ts';
import type { LoginFlows } from '../flows/login.ts';
import type { Csrf } from '../http/csrf.ts';
import { finishLogin, loadInteraction, renderPage } from './context.ts';
import { field, tooManyAttempts } from './forms.ts';
import { PASSKEY_CAPABLE_COOKIE, type PasskeyOfferPorts } from './passkey-offer.ts';

export interface PasskeyRouteDeps extends PasskeyOfferPorts {
  webauthn: Pick<WebauthnSettings, 'enabled'>;
  csrf: Csrf;
  passkeys: PasskeyService;
  accounts: AccountQueries;
  loginFlows: LoginFlows;
  secureCookies: boolean;
  /** The "Continue with …" buttons for this interaction's client (social login). */
  connectorButtons?: (ctx: Context) => Promise<{ id: string; name: string }[]>;
}

const CAPABLE_MAX_AGE_MS = 180 * 24 * 3600 * 1000;
const RESPONSE_MAX = 40_000;

export function createPasskeyRouter(deps: PasskeyRouteDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid/passkey' });

  const json = (ctx: Context, body: object, status = 200) => {
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  };
  const identifyPage = async (ctx: Context, error: string, status: number) => renderPage(deps, ctx, 'journey/identify', {
    title: t('journey.identify.title'), email: await deps.loginFlows.rememberedEmail(String(ctx.params.uid)), error, passkeyFailed: true, passkeys: true,
    connectors: await deps.connectorButtons?.(ctx),
  }, status);
  const offerPage = (ctx: Context, error?: string, status = 200) =>
    renderPage(deps, ctx, 'journey/passkey-offer', { title: t('journey.passkey_offer.title'), error }, status);
  const backToStart = (ctx: Context) => {
    ctx.redirect(`/interaction/${encodeURIComponent(String(ctx.params.uid))}`);
    ctx.status = 303;
  };
  const finishHeld = async (ctx: Context, held: HeldLogin) => {
    await deps.passkeyOffers.releaseLogin(held);
    await finishLogin(deps, ctx, held.accountId, held.amr, { emailProved: held.emailProved });
  };

  // Off on an issuer with an IP address: nothing here can work, and the pages offer none of it.
  router.use(async (ctx, next) => {
    if (!deps.webauthn.enabled) {
      ctx.status = 404;
      ctx.body = { error: 'passkeys_unavailable', message: t('journey.passkey.unavailable') };
      return;
    }
    await next();
  });

  // The sign-in page's script reports that this browser has a platform authenticator (so the offer makes sense).
  router.post('/capable', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    ctx.cookies.set(PASSKEY_CAPABLE_COOKIE, '1', { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, signed: false, overwrite: true, path: '/', maxAge: CAPABLE_MAX_AGE_MS });
    ctx.status = 204;
  });

  router.post('/authenticate/options', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    json(ctx, await deps.passkeys.signInOptions(interaction.uid));
  });

  router.post('/authenticate', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const response = field(fields, 'response', RESPONSE_MAX);
    if (!response) return identifyPage(ctx, describePasskeyRefusal('malformed'), 400);
    const verdict = await deps.passkeys.verifySignIn({ interactionUid: interaction.uid, response, address: ctx.ip });
    if (verdict.status === 'throttled') return identifyPage(ctx, tooManyAttempts(verdict.retryAfterSeconds, 'email'), 429);
    if (verdict.status === 'invalid') return identifyPage(ctx, describePasskeyRefusal(verdict.reason), verdict.reason === 'malformed' ? 400 : 401);
    await finishLogin(deps, ctx, verdict.accountId, verdict.amr);
  });

  router.get('/offer', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    if (!(await deps.passkeyOffers.heldLogin(interaction.uid))) return backToStart(ctx);
    offerPage(ctx);
  });

  router.post('/register/options', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const held = await deps.passkeyOffers.heldLogin(interaction.uid);
    const account = held && await deps.accounts.findAccountById(held.accountId);
    if (!held || !account?.email) return json(ctx, { error: 'passkey.no_offer', message: t('journey.passkey.moved_on') }, 400);
    json(ctx, await deps.passkeys.registrationOptions({ interactionUid: interaction.uid, accountId: account.id, email: account.email }));
  });

  router.post('/register', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const held = await deps.passkeyOffers.heldLogin(interaction.uid);
    if (!held) return backToStart(ctx);
    const response = field(fields, 'response', RESPONSE_MAX);
    if (!response) return offerPage(ctx, describeRegistrationRefusal('malformed'), 400);
    const result = await deps.passkeys.verifyRegistration({
      interactionUid: interaction.uid, accountId: held.accountId, response, name: defaultPasskeyName(ctx.get('user-agent')),
    });
    if (result.status !== 'ok') return offerPage(ctx, describeRegistrationRefusal(result.reason), 400);
    await finishHeld(ctx, held);
  });

  router.post('/offer/decline', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const held = await deps.passkeyOffers.heldLogin(interaction.uid);
    if (!held) return backToStart(ctx);
    await deps.passkeyOffers.declineOffer(held.accountId);
    await finishHeld(ctx, held);
  });

  return router;
}
