// Owns the email sign-in pages under /interaction/:uid/email-code: "Email me a code" from the password page,
// "Check your email" (the code: mailed, or shown by the link opened in another browser), and the link's
// return in the browser that asked.
import { t } from '../i18n/translate.ts';
import { EMAIL_CODE } from '../authn/email-code/declaration.ts';
import type { AuthenticatorRegistry } from '../authn/registry.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { EmailSignIn, EmailSignInResult } from '../authn/email-code/sign-in.ts';
import { describeCodeVerdict } from '../flows/codes.ts';
import type { LoginFlows } from '../flows/login.ts';
import type { Csrf } from '../http/csrf.ts';
import { finishLogin, loadInteraction, renderPage, type JourneyPorts } from './context.ts';
import { codeSchema, field, firstError, tooManyAttempts } from './forms.ts';
import { ensureSignInBrowser } from './sign-in-browser-cookie.ts';

export interface EmailCodeDeps extends JourneyPorts {
  csrf: Csrf;
  loginFlows: LoginFlows;
  emailSignIn: EmailSignIn;
  /** The mailed code is checked through the authenticator registry. */
  authenticators: AuthenticatorRegistry;
  secureCookies: boolean;
}

/** RFC 8176: a one-time password (the mailed code, or the link that carries the same attempt). */
const EMAIL_CODE_AMR = [...EMAIL_CODE.amr];

export function createEmailCodeRouter(deps: EmailCodeDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid/email-code' });

  const checkEmailPage = (ctx: Context, email: string, error?: string, status = 200) =>
    renderPage(deps, ctx, 'journey/email-code', { title: t('journey.email_code.title'), email, error }, status);
  /** Back to the password page (where "Email me a code" is) with a message; or to the start without an email. */
  const passwordPage = async (ctx: Context, uid: string, error: string, status: number) => {
    const email = await deps.loginFlows.rememberedEmail(uid);
    if (!email) return ctx.redirect(`/interaction/${uid}`);
    renderPage(deps, ctx, 'journey/password', { title: t('journey.password.title'), email, error }, status);
  };
  const answer = async (ctx: Context, uid: string, email: string, result: EmailSignInResult) => {
    switch (result.status) {
      case 'ok': return finishLogin(deps, ctx, result.accountId, EMAIL_CODE_AMR);
      case 'throttled': return checkEmailPage(ctx, email, tooManyAttempts(result.retryAfterSeconds, 'link'), 429);
      case 'expired': return email ? checkEmailPage(ctx, email, t('journey.email_code.expired'), 400) : passwordPage(ctx, uid, t('journey.email_code.expired'), 400);
      default: return checkEmailPage(ctx, email, describeCodeVerdict(result.status), 400);
    }
  };

  router.post('/send', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const email = await deps.loginFlows.rememberedEmail(interaction.uid);
    if (!email || interaction.prompt.name !== 'login') return ctx.redirect(`/interaction/${interaction.uid}`);
    const browserToken = ensureSignInBrowser(ctx, deps.secureCookies);
    const result = await deps.emailSignIn.startEmailSignIn({ interactionUid: interaction.uid, email, address: ctx.ip, userAgent: ctx.get('user-agent'), browserToken });
    if (result.status === 'throttled') return passwordPage(ctx, interaction.uid, tooManyAttempts(result.retryAfterSeconds), 429);
    // Post, redirect, get: reloading the page never sends another mail.
    ctx.redirect(`/interaction/${interaction.uid}/email-code`);
    ctx.status = 303;
  });

  router.get('/', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const email = await deps.emailSignIn.pendingEmailSignIn(interaction.uid);
    if (!email) return ctx.redirect(`/interaction/${interaction.uid}/password`);
    checkEmailPage(ctx, email);
  });

  router.post('/verify', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const email = await deps.emailSignIn.pendingEmailSignIn(interaction.uid);
    if (!email) return answer(ctx, interaction.uid, '', { status: 'expired' });
    const code = codeSchema.safeParse(field(fields, 'code', 64));
    if (!code.success) return checkEmailPage(ctx, email, firstError(code), 400);
    const verdict = await deps.authenticators.verify('email-code', { code: code.data }, { address: ctx.ip, scope: interaction.uid });
    if (verdict.status === 'ok') return finishLogin(deps, ctx, verdict.accountId, verdict.amr);
    if (verdict.status === 'throttled') return answer(ctx, interaction.uid, email, verdict);
    const reason = verdict.status === 'refused' && (verdict.reason === 'expired' || verdict.reason === 'exhausted') ? verdict.reason : 'invalid';
    await answer(ctx, interaction.uid, email, { status: reason });
  });

  // Where the link leads once its button was pressed in the browser that asked (only there is the attempt
  // approved by it). Anything else is a stale or foreign visit: nothing to finish.
  router.get('/linked', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx).catch(() => undefined);
    if (!interaction) return linkGone(deps, ctx);
    const result = await deps.emailSignIn.continueAfterLink(interaction.uid);
    if (result.status !== 'ok') return ctx.redirect(`/interaction/${interaction.uid}`);
    await finishLogin(deps, ctx, result.accountId, EMAIL_CODE_AMR);
  });

  return router;
}

/** The page for a sign-in link that was used, replaced or has expired. */
export function linkGone(ports: JourneyPorts, ctx: Context): void {
  renderPage(ports, ctx, 'errors/error', {
    title: t('journey.link_gone.title'),
    message: t('journey.link_gone.message'),
  }, 400);
}
