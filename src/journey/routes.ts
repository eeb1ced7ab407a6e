// Owns the hosted sign-in pages under /interaction/:uid: identifier first, then password; sign-up with
// an emailed code; password reset; terms; consent. Never reveals whether an account exists.
import { t } from '../i18n/translate.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AccountSignOut } from '../accounts/sign-out.ts';
import type { PasswordAuthenticator } from '../authn/password/authenticator.ts';
import type { BrandSharing } from '../brands/sharing.ts';
import type { Brands } from '../brands/service.ts';
import type { ConsentService } from '../consent/service.ts';
import type { GrantFromConsent } from '../oidc/grants.ts';
import type { AuthenticatorRegistry } from '../authn/registry.ts';
import { describeCodeVerdict } from '../flows/codes.ts';
import type { LoginFlows } from '../flows/login.ts';
import type { Recovery } from '../flows/recovery.ts';
import type { Registration } from '../flows/registration.ts';
import type { Csrf } from '../http/csrf.ts';
import type { ProfileService } from '../profile/service.ts';
import { consentView, grantConsent } from './consent.ts';
import { finish, finishLogin, forgetEndedSession, loadInteraction, renderPage, type JourneyPorts } from './context.ts';
import { codeSchema, emailSchema, field, firstError, tooManyAttempts } from './forms.ts';
import { completeInteractiveLogin, type PasskeyOfferPorts } from './passkey-offer.ts';
import { showErasurePending, type ErasurePendingPorts } from './erasure-routes.ts';

export interface JourneyDeps extends JourneyPorts, PasskeyOfferPorts, ErasurePendingPorts {
  csrf: Csrf;
  loginFlows: LoginFlows;
  passwords: PasswordAuthenticator;
  registration: Registration;
  recovery: Recovery;
  consent: ConsentService;
  /** The protocol's side of a consent (src/oidc/grants.ts). */
  grantFromConsent: GrantFromConsent;
  /** The first factors checked through the authenticator registry (password, mailed code). */
  authenticators: AuthenticatorRegistry;
  /** A new password signs the account out everywhere (apps told by back-channel logout). */
  signOut: AccountSignOut;
  passwordMinLength: number;
  webauthn: { enabled: boolean };
  profile: ProfileService;
  /** Cross-brand sharing (the sharing step) and the brands it names. */
  brandSharing: BrandSharing;
  brands: Brands;
  /** The "Continue with …" buttons for this interaction's client (social login; none when absent). */
  connectorButtons?: (ctx: Context) => Promise<{ id: string; name: string }[]>;
}


const tooMany = (seconds: number) => tooManyAttempts(seconds, 'reset_password');

export function createJourneyRouter(deps: JourneyDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid' });

  const identifyPage = async (ctx: Context, data: { email?: string; error?: string; notice?: string }, status = 200) =>
    renderPage(deps, ctx, 'journey/identify', { title: t('journey.identify.title'), passkeys: deps.webauthn.enabled, connectors: await deps.connectorButtons?.(ctx), ...data }, status);
  const passwordPage = (ctx: Context, email: string, error?: string, status = 200) =>
    renderPage(deps, ctx, 'journey/password', { title: t('journey.password.title'), email, error }, status);

  router.get('/', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    switch (interaction.prompt.name) {
      case 'login': {
        const hint = typeof interaction.params.login_hint === 'string' ? interaction.params.login_hint : undefined;
        return identifyPage(ctx, { email: (await deps.loginFlows.rememberedEmail(interaction.uid)) ?? hint });
      }
      case 'mfa':
        return ctx.redirect(`/interaction/${interaction.uid}/mfa`);
      case 'terms': {
        const accountId = interaction.session?.accountId;
        const documents = accountId ? await deps.consent.pendingDocuments(accountId, String(interaction.params.client_id)) : [];
        const changed = accountId ? await deps.consent.hasAcceptedAnyDocument(accountId, documents) : false;
        return renderPage(deps, ctx, 'journey/terms', { title: changed ? t('journey.terms.title_changed') : t('journey.terms.title'), documents, changed });
      }
      case 'brand_sharing':
        return ctx.redirect(`/interaction/${interaction.uid}/share`);
      case 'consent':
        return renderPage(deps, ctx, 'journey/consent', { title: t('journey.consent.title'), ...(await consentView(deps, interaction)) });
      case 'profile':
        return ctx.redirect(`/interaction/${interaction.uid}/profile`);
      default:
        return renderPage(deps, ctx, 'errors/error', { title: t('errors.page.refused'), message: t('journey.step_unavailable') }, 400);
    }
  });

  router.post('/identify', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const email = emailSchema.safeParse(field(fields, 'email'));
    if (!email.success) return identifyPage(ctx, { email: field(fields, 'email', 254), error: firstError(email) }, 400);
    await deps.loginFlows.rememberEmail(interaction.uid, email.data);
    // The password page in this answer, not behind a redirect: one request (and its two reads) fewer per
    // sign-in. Its form posts to /password as before; GET /password still shows it (back, reload, links).
    passwordPage(ctx, email.data);
  });

  router.get('/password', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const email = await deps.loginFlows.rememberedEmail(interaction.uid);
    if (!email) return ctx.redirect(`/interaction/${interaction.uid}`);
    passwordPage(ctx, email);
  });

  router.post('/password', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const email = await deps.loginFlows.rememberedEmail(interaction.uid);
    if (!email) return ctx.redirect(`/interaction/${interaction.uid}`);
    const password = field(fields, 'password', 4096);
    if (!password) return passwordPage(ctx, email, t('journey.password.missing'), 400);
    const verdict = await deps.authenticators.verify('password', { email, password }, { address: ctx.ip });
    if (verdict.status === 'throttled') return passwordPage(ctx, email, tooMany(verdict.retryAfterSeconds), 429);
    if (verdict.status === 'held') return showErasurePending(deps, ctx, verdict.accountId, verdict.until);
    if (verdict.status !== 'ok') return passwordPage(ctx, email, t('journey.password.invalid'), 401);
    await completeInteractiveLogin(deps, ctx, verdict.accountId, verdict.amr);
  });

  router.get('/signup', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const email = await deps.loginFlows.rememberedEmail(interaction.uid);
    renderPage(deps, ctx, 'journey/signup', { title: t('journey.signup.title'), email, minLength: deps.passwordMinLength });
  });

  router.post('/signup', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const rawEmail = field(fields, 'email', 254);
    const email = emailSchema.safeParse(rawEmail);
    const form = { title: t('journey.signup.title'), email: rawEmail, minLength: deps.passwordMinLength, termsChecked: fields.has('terms') };
    if (!email.success) return renderPage(deps, ctx, 'journey/signup', { ...form, errors: { email: firstError(email) } }, 400);
    const result = await deps.registration.startRegistration({
      interactionUid: interaction.uid, email: email.data, password: field(fields, 'password', 4096), termsAccepted: fields.get('terms') === 'yes', address: ctx.ip,
    });
    if (result.status === 'invalid') return renderPage(deps, ctx, 'journey/signup', { ...form, errors: result.errors }, 400);
    if (result.status === 'throttled') return renderPage(deps, ctx, 'journey/signup', { ...form, error: tooMany(result.retryAfterSeconds) }, 429);
    await deps.loginFlows.rememberEmail(interaction.uid, email.data);
    renderPage(deps, ctx, 'journey/verify-email', { title: t('journey.verify_email.title'), email: email.data });
  });

  router.post('/signup/verify', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const email = await deps.registration.pendingRegistrationEmail(interaction.uid);
    const code = codeSchema.safeParse(field(fields, 'code', 64));
    if (!email) return identifyPage(ctx, { error: t('journey.verify_email.expired') }, 400);
    if (!code.success) return renderPage(deps, ctx, 'journey/verify-email', { title: t('journey.verify_email.title'), email, error: firstError(code) }, 400);
    const result = await deps.registration.completeRegistration({
      interactionUid: interaction.uid, code: code.data, channel: 'sign-up', clientId: String(interaction.params.client_id), address: ctx.ip,
    });
    if (result.status === 'throttled') return renderPage(deps, ctx, 'journey/verify-email', { title: t('journey.verify_email.title'), email, error: tooManyAttempts(result.retryAfterSeconds) }, 429);
    if (result.status !== 'ok') return renderPage(deps, ctx, 'journey/verify-email', { title: t('journey.verify_email.title'), email, error: describeCodeVerdict(result.status) }, 400);
    deps.metrics.signUp('password');
    // The code just proved the address: a second factor set up next in this sign-in needs no other code.
    await completeInteractiveLogin(deps, ctx, result.accountId, ['pwd'], { emailProved: true });
  });

  router.get('/forgot', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    renderPage(deps, ctx, 'journey/forgot', { title: t('journey.forgot.title'), email: await deps.loginFlows.rememberedEmail(interaction.uid) });
  });

  router.post('/forgot', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const email = emailSchema.safeParse(field(fields, 'email'));
    if (!email.success) return renderPage(deps, ctx, 'journey/forgot', { title: t('journey.forgot.title'), email: field(fields, 'email', 254), error: firstError(email) }, 400);
    const result = await deps.recovery.startRecovery({ interactionUid: interaction.uid, email: email.data, address: ctx.ip });
    if (result.status === 'throttled') return renderPage(deps, ctx, 'journey/forgot', { title: t('journey.forgot.title'), email: email.data, error: tooMany(result.retryAfterSeconds) }, 429);
    renderPage(deps, ctx, 'journey/reset', { title: t('journey.verify_email.title'), email: email.data, minLength: deps.passwordMinLength });
  });

  router.post('/reset', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const email = await deps.recovery.pendingRecoveryEmail(interaction.uid);
    if (!email) return renderPage(deps, ctx, 'journey/forgot', { title: t('journey.forgot.title'), error: t('journey.reset.expired') }, 400);
    const page = (error: string, status = 400) => renderPage(deps, ctx, 'journey/reset', { title: t('journey.verify_email.title'), email, minLength: deps.passwordMinLength, error }, status);
    const code = codeSchema.safeParse(field(fields, 'code', 64));
    if (!code.success) return page(firstError(code)!);
    const result = await deps.recovery.completeRecovery({ interactionUid: interaction.uid, code: code.data, newPassword: field(fields, 'new_password', 4096), address: ctx.ip });
    if (result.status === 'weak_password') return page(result.message);
    if (result.status === 'throttled') return page(tooManyAttempts(result.retryAfterSeconds), 429);
    if (result.status !== 'ok') return page(describeCodeVerdict(result.status));
    // A new password ends every session of the account, this browser's too, and every grant with its
    // tokens; the apps hear of it. The journey then goes on signed in, in a new session.
    await deps.signOut.signOutEverywhere(result.accountId);
    await forgetEndedSession(interaction, result.accountId);
    await finishLogin(deps, ctx, result.accountId, ['otp']);
  });

  router.post('/terms', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const accountId = interaction.session?.accountId;
    if (interaction.prompt.name !== 'terms' || !accountId) return ctx.redirect(`/interaction/${interaction.uid}`);
    const documents = await deps.consent.pendingDocuments(accountId, String(interaction.params.client_id));
    if (fields.get('accept') !== 'yes') {
      const changed = await deps.consent.hasAcceptedAnyDocument(accountId, documents);
      return renderPage(deps, ctx, 'journey/terms', { title: changed ? t('journey.terms.title_changed') : t('journey.terms.title'), documents, changed, error: t('journey.terms.required') }, 400);
    }
    await deps.consent.acceptDocuments(accountId, documents, { channel: 'sign-in', clientId: String(interaction.params.client_id), ip: ctx.ip });
    await finish(deps, ctx, { terms: { accepted: documents.map((d) => `${d.documentId}@${d.version}`) } }, true);
  });

  router.post('/consent', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    if (interaction.prompt.name !== 'consent') return ctx.redirect(`/interaction/${interaction.uid}`);
    const grantId = await grantConsent(deps, interaction, fields.getAll('scope'), ctx.ip);
    await finish(deps, ctx, { consent: { grantId } }, true);
  });

  // Deny on the consent page and Decline on the terms page: the app gets access_denied and nothing is
  // recorded as accepted or granted (the ledger is written only by the accepting routes above).
  router.post('/abort', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const description = interaction.prompt.name === 'terms' ? 'The customer declined the terms.' : 'The customer cancelled the sign-in.';
    await finish(deps, ctx, { error: 'access_denied', error_description: description }, false);
  });

  return router;
}
