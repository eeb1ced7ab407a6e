// Owns the second-factor pages under /interaction/:uid/mfa: a TOTP code, a recovery code or a mailed code;
// a passkey of the account; setting up an authenticator app (QR code, manual key, then the recovery codes once)
// after a mailed code proved the email when the sign-in did not; "remember this device".
import { t } from '../i18n/translate.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { signInProvedEmail, type EnrolmentProof } from '../authn/mfa/enrol-proof.ts';
import { ACR_TWO_FACTOR, amrAfterSecondFactor, type SecondFactor } from '../authn/mfa/policy.ts';
import { REMEMBERED_DEVICE_COOKIE, type RememberedDevices } from '../authn/mfa/remembered-devices.ts';
import type { MfaStep } from '../authn/mfa/step.ts';
import { describeSecondFactorRefusal, type PasskeySecondFactor, type SecondFactorRefusal } from '../authn/passkey/second-factor.ts';
import { formatTotpSecret } from '../authn/totp/totp.ts';
import { describeCodeVerdict } from '../flows/codes.ts';
import type { Csrf } from '../http/csrf.ts';
import { finish, loadInteraction, renderPage, type Interaction, type JourneyPorts } from './context.ts';
import { codeSchema, field, firstError, tooManyAttempts } from './forms.ts';

export interface MfaRouteDeps extends JourneyPorts {
  csrf: Csrf;
  mfaStep: MfaStep;
  enrolProof: Pick<EnrolmentProof, 'sendCode' | 'confirmCode' | 'address'>;
  rememberedDevices: RememberedDevices;
  passkeys: Pick<PasskeySecondFactor, 'secondFactorOptions'>;
  secureCookies: boolean;
  /** Runs when the second factor passed, before the step finishes; true when it answered the request itself (an account link's next page). */
  afterSecondFactor?: (ctx: Context, accountId: string, amr: string[]) => Promise<boolean>;
}

interface MfaRequest {
  fields: URLSearchParams;
  interaction: Interaction;
  accountId: string;
  firstAmr: string[] | undefined;
  /** This sign-in proved the account's email (a mailed code or link, or sign-up's code), so enrolment needs no extra code. */
  provedBySignIn: boolean;
}

type PageState = { error?: string; notice?: string; status?: number };


const PASSKEY_RESPONSE_MAX = 40_000;


export function createMfaRouter(deps: MfaRouteDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid/mfa' });
  const back = (ctx: Context) => {
    ctx.redirect(`/interaction/${ctx.params.uid}`);
    ctx.status = 303;
  };

  /** The interaction, if it is at the mfa prompt with a signed-in account; otherwise sends the browser back. */
  async function atMfaPrompt(ctx: Context, fields: URLSearchParams = new URLSearchParams()): Promise<MfaRequest | undefined> {
    const interaction = await loadInteraction(deps, ctx);
    const accountId = interaction.session?.accountId;
    if (interaction.prompt.name !== 'mfa' || !accountId) {
      back(ctx);
      return undefined;
    }
    const firstAmr = interaction.session?.amr;
    return { fields, interaction, accountId, firstAmr, provedBySignIn: signInProvedEmail(firstAmr) || signUpProvedEmail(interaction, accountId) };
  }

  async function posted(ctx: Context): Promise<MfaRequest | undefined> {
    return atMfaPrompt(ctx, deps.csrf.verifiedForm(ctx));
  }

  const stepUp = (req: MfaRequest) => {
    const reason = (req.interaction.prompt.details as { mfa_reason?: string }).mfa_reason;
    return reason === 'step_up' ? t('journey.mfa.step_up') : reason === 'link' ? t('journey.mfa.linking') : undefined;
  };

  async function challengePage(ctx: Context, req: MfaRequest, state: PageState = {}): Promise<void> {
    const options = await deps.mfaStep.options(req.accountId, req.firstAmr);
    const offers = (factor: SecondFactor) => options.factors.includes(factor);
    if (!offers('totp') && !offers('passkey') && options.canEnrol && !state.error) return setupPage(ctx, req, state);
    renderPage(deps, ctx, 'journey/mfa', {
      title: t('journey.mfa.title'), ...state, stepUp: stepUp(req),
      totp: offers('totp'), recovery: offers('recovery-code'), email: offers('email'), passkey: offers('passkey'), canEnrol: options.canEnrol,
    }, state.status);
  }

  async function setupPage(ctx: Context, req: MfaRequest, state: PageState = {}): Promise<void> {
    const enrolment = await deps.mfaStep.startEnrolment(req.interaction.uid, req.accountId, req.provedBySignIn);
    if (enrolment.status === 'email_proof_required') return proofPage(ctx, req, state);
    if (enrolment.status !== 'ok') return challengePage(ctx, req, state);
    const options = await deps.mfaStep.options(req.accountId, req.firstAmr);
    const svg = await QRCode.toString(enrolment.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    renderPage(deps, ctx, 'journey/mfa-setup', {
      title: t('journey.mfa_setup.title'), ...state, stepUp: stepUp(req),
      qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, manualKey: formatTotpSecret(enrolment.secret),
      email: options.factors.includes('email'), recovery: options.factors.includes('recovery-code'),
    }, state.status);
  }

  /** Before a first authenticator is set up on a password-only sign-in: a code mailed to the account's address. */
  async function proofPage(ctx: Context, req: MfaRequest, state: PageState & { sent?: boolean } = {}): Promise<void> {
    const options = await deps.mfaStep.options(req.accountId, req.firstAmr);
    renderPage(deps, ctx, 'journey/mfa-enrol-email', {
      title: t('journey.mfa_enrol_email.title'), ...state, stepUp: stepUp(req), email: await deps.enrolProof.address(req.accountId),
      emailFactor: options.factors.includes('email'), recovery: options.factors.includes('recovery-code'),
    }, state.status);
  }

  const recoveryPage = (ctx: Context, state: PageState = {}) =>
    renderPage(deps, ctx, 'journey/mfa-recovery', { title: t('journey.mfa_recovery.title'), ...state }, state.status);
  const emailPage = (ctx: Context, email: string | undefined, state: PageState = {}) =>
    renderPage(deps, ctx, 'journey/mfa-email', { title: t('journey.mfa_email.title'), email, ...state }, state.status);

  /** Ends the mfa prompt: the same account, its first factor plus this one, acr 2fa. */
  async function complete(ctx: Context, req: MfaRequest, amr: string[]): Promise<void> {
    if (req.fields.get('remember') === 'yes') await rememberThisDevice(ctx, req.accountId);
    if (await deps.afterSecondFactor?.(ctx, req.accountId, amr)) return;
    await finish(deps, ctx, { login: { accountId: req.accountId, amr, acr: ACR_TWO_FACTOR, remember: true } }, false);
  }

  async function rememberThisDevice(ctx: Context, accountId: string): Promise<void> {
    const { token, expiresAt } = await deps.rememberedDevices.rememberDevice(accountId, ctx.get('user-agent') || undefined);
    ctx.cookies.set(REMEMBERED_DEVICE_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, signed: false, overwrite: true, path: '/', expires: expiresAt });
  }

  router.get('/', async (ctx) => {
    const req = await atMfaPrompt(ctx);
    if (req) await challengePage(ctx, req);
  });

  router.post('/totp', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const code = codeSchema.safeParse(field(req.fields, 'code', 64));
    if (!code.success) return challengePage(ctx, req, { error: t('journey.mfa.totp_format'), status: 400 });
    const verdict = await deps.mfaStep.verifySecondFactor('totp', { code: code.data }, { uid: req.interaction.uid, accountId: req.accountId, address: ctx.ip });
    if (verdict.status === 'ok') return complete(ctx, req, amrAfterSecondFactor(req.firstAmr, 'totp', verdict.amr));
    if (verdict.status === 'throttled') return challengePage(ctx, req, { error: tooManyAttempts(verdict.retryAfterSeconds), status: 429 });
    if (verdict.reason === 'reused') return challengePage(ctx, req, { error: t('journey.mfa.totp_reused'), status: 401 });
    if (verdict.reason === 'not_enrolled') return challengePage(ctx, req);
    return challengePage(ctx, req, { error: t('journey.mfa.totp_wrong'), status: 401 });
  });

  router.get('/recovery', async (ctx) => {
    if (await atMfaPrompt(ctx)) recoveryPage(ctx);
  });

  router.post('/recovery', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const code = field(req.fields, 'code', 64).trim();
    if (!code) return recoveryPage(ctx, { error: t('journey.mfa.recovery_missing'), status: 400 });
    const verdict = await deps.mfaStep.verifySecondFactor('recovery-code', { code }, { uid: req.interaction.uid, accountId: req.accountId, address: ctx.ip });
    if (verdict.status === 'throttled') return recoveryPage(ctx, { error: tooManyAttempts(verdict.retryAfterSeconds), status: 429 });
    if (verdict.status !== 'ok') return recoveryPage(ctx, { error: t('journey.mfa.recovery_wrong'), status: 401 });
    await complete(ctx, req, amrAfterSecondFactor(req.firstAmr, 'recovery-code', verdict.amr));
  });

  router.post('/email/send', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const sent = await deps.mfaStep.sendEmailCode({ uid: req.interaction.uid, accountId: req.accountId, firstAmr: req.firstAmr, address: ctx.ip });
    if (sent.status === 'unavailable') return challengePage(ctx, req, { error: t('journey.mfa.email_unavailable'), status: 400 });
    if (sent.status === 'throttled') return challengePage(ctx, req, { error: tooManyAttempts(sent.retryAfterSeconds), status: 429 });
    emailPage(ctx, sent.email);
  });

  router.post('/email', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const { email } = await deps.mfaStep.options(req.accountId, req.firstAmr);
    const code = codeSchema.safeParse(field(req.fields, 'code', 64));
    if (!code.success) return emailPage(ctx, email, { error: firstError(code), status: 400 });
    const verdict = await deps.mfaStep.verifySecondFactor('email', { code: code.data }, { uid: req.interaction.uid, accountId: req.accountId, address: ctx.ip });
    if (verdict.status === 'throttled') return emailPage(ctx, email, { error: tooManyAttempts(verdict.retryAfterSeconds), status: 429 });
    if (verdict.status !== 'ok') return emailPage(ctx, email, { error: describeCodeVerdict(verdict.reason === 'expired' || verdict.reason === 'exhausted' ? verdict.reason : 'invalid'), status: 401 });
    await complete(ctx, req, amrAfterSecondFactor(req.firstAmr, 'email', verdict.amr));
  });

  // A passkey of this account as the second factor: the page's script fetches options, the browser signs, the form posts.
  router.post('/passkey/options', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const accountId = interaction.session?.accountId;
    const offered = interaction.prompt.name === 'mfa' && accountId
      && (await deps.mfaStep.options(accountId, interaction.session?.amr)).factors.includes('passkey');
    const options = offered ? await deps.passkeys.secondFactorOptions(interaction.uid, accountId) : undefined;
    ctx.set('Cache-Control', 'no-store');
    if (!options) {
      ctx.status = 400;
      ctx.body = { error: 'mfa.passkey_unavailable', message: t('journey.mfa.passkey_unavailable_reload') };
      return;
    }
    ctx.body = options;
  });

  router.post('/passkey', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const { factors } = await deps.mfaStep.options(req.accountId, req.firstAmr);
    if (!factors.includes('passkey')) return challengePage(ctx, req, { error: t('journey.mfa.passkey_unavailable'), status: 400 });
    const response = field(req.fields, 'response', PASSKEY_RESPONSE_MAX);
    if (!response) return challengePage(ctx, req, { error: describeSecondFactorRefusal('malformed'), status: 400 });
    const verdict = await deps.mfaStep.verifySecondFactor('passkey', { response }, { uid: req.interaction.uid, accountId: req.accountId, address: ctx.ip });
    if (verdict.status === 'throttled') return challengePage(ctx, req, { error: tooManyAttempts(verdict.retryAfterSeconds), status: 429 });
    if (verdict.status !== 'ok') {
      const reason = (('detail' in verdict ? verdict.detail : undefined) ?? 'malformed') as SecondFactorRefusal;
      return challengePage(ctx, req, { error: describeSecondFactorRefusal(reason), status: reason === 'malformed' ? 400 : 401 });
    }
    await complete(ctx, req, amrAfterSecondFactor(req.firstAmr, 'passkey', verdict.amr));
  });

  router.get('/setup', async (ctx) => {
    const req = await atMfaPrompt(ctx);
    if (req) await setupPage(ctx, req);
  });

  router.post('/setup', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const code = codeSchema.safeParse(field(req.fields, 'code', 64));
    if (!code.success) return setupPage(ctx, req, { error: t('journey.mfa.totp_format'), status: 400 });
    const result = await deps.mfaStep.confirmEnrolment({
      uid: req.interaction.uid, accountId: req.accountId, firstAmr: req.firstAmr, provedBySignIn: req.provedBySignIn, code: code.data, address: ctx.ip,
    });
    switch (result.status) {
      case 'email_proof_required': return proofPage(ctx, req, { status: 403 });
      case 'ok':
        if (req.fields.get('remember') === 'yes') await rememberThisDevice(ctx, req.accountId);
        return renderPage(deps, ctx, 'journey/mfa-recovery-codes', { title: t('journey.mfa_recovery_codes.title'), codes: result.recoveryCodes });
      case 'throttled': return setupPage(ctx, req, { error: tooManyAttempts(result.retryAfterSeconds), status: 429 });
      case 'invalid': case 'reused': return setupPage(ctx, req, { error: t('journey.mfa.totp_wrong'), status: 401 });
      case 'expired': return setupPage(ctx, req, { error: t('journey.mfa.setup_expired'), status: 400 });
      case 'already_enrolled': case 'not_enrolled': return challengePage(ctx, req);
    }
  });

  router.post('/setup/email/send', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const sent = await deps.enrolProof.sendCode({ scope: req.interaction.uid, accountId: req.accountId, address: ctx.ip });
    if (sent.status === 'throttled') return proofPage(ctx, req, { error: tooManyAttempts(sent.retryAfterSeconds), status: 429 });
    if (sent.status === 'unavailable') return challengePage(ctx, req, { error: t('journey.mfa.no_email'), status: 400 });
    await proofPage(ctx, req, { sent: true });
  });

  router.post('/setup/email', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const code = codeSchema.safeParse(field(req.fields, 'code', 64));
    if (!code.success) return proofPage(ctx, req, { sent: true, error: firstError(code), status: 400 });
    const verdict = await deps.enrolProof.confirmCode({ scope: req.interaction.uid, accountId: req.accountId, code: code.data, address: ctx.ip });
    if (verdict.status === 'throttled') return proofPage(ctx, req, { sent: true, error: tooManyAttempts(verdict.retryAfterSeconds), status: 429 });
    if (verdict.status !== 'ok') return proofPage(ctx, req, { sent: true, error: describeCodeVerdict(verdict.status), status: 401 });
    ctx.redirect(`/interaction/${req.interaction.uid}/mfa/setup`);
    ctx.status = 303;
  });

  router.post('/continue', async (ctx) => {
    const req = await posted(ctx);
    if (!req) return;
    const amr = await deps.mfaStep.takeCompletedStep(req.interaction.uid, req.accountId);
    if (!amr) return challengePage(ctx, req);
    if (await deps.afterSecondFactor?.(ctx, req.accountId, amr)) return;
    await finish(deps, ctx, { login: { accountId: req.accountId, amr, acr: ACR_TWO_FACTOR, remember: true } }, false);
  });

  return router;
}

/** Sign-up's code proved the address in the login step just before this one (its result is this interaction's last submission). */
function signUpProvedEmail(interaction: Interaction, accountId: string): boolean {
  const login = interaction.lastSubmission?.login;
  return login?.accountId === accountId && login.emailProved === true;
}
