// Owns the social sign-in pages: a button per enabled connector on the identifier page, the redirect to
// the upstream, its callback (/federation/callback, bound by state), linking to an existing account, and
// the email (mailed code) asked for when the upstream confirmed none.
import Router from '@koa/router';
import type { Context } from 'koa';
import type { FederatedSignIn } from '../authn/federation/sign-in.ts';
import type { ConnectorRegistry } from '../authn/federation/connectors.ts';
import type { FederationEmailConfirmation } from '../authn/federation/email-confirmation.ts';
import { describeCodeVerdict } from '../flows/codes.ts';
import type { PasswordAuthenticator } from '../authn/password/authenticator.ts';
import type { Csrf } from '../http/csrf.ts';
import type { Views } from '../http/views.ts';
import { finishLogin, loadInteraction, renderPage } from './context.ts';
import { codeSchema, emailSchema, field, firstError, tooManyAttempts } from './forms.ts';
import { completeInteractiveLogin, type PasskeyOfferPorts } from './passkey-offer.ts';

export interface FederationRouteDeps extends PasskeyOfferPorts {
  csrf: Csrf;
  federation: FederatedSignIn;
  federationEmail: FederationEmailConfirmation;
  passwords: PasswordAuthenticator;
}

/** Adds the enabled connectors to every rendering of the identifier page (its buttons). */
export function withConnectorButtons(views: Views, connectors: ConnectorRegistry): Views {
  return {
    render: (name, data) => views.render(name, name === 'journey/identify' ? { connectors: connectors.enabled(), ...data } : data),
  };
}

const errorPage = (deps: FederationRouteDeps, ctx: Context, title: string, message: string, status: number, uid?: string) =>
  renderPage(deps, ctx, 'journey/federation-error', { title, message, backUid: uid ?? (ctx.params.uid as string | undefined) }, status);

export function createFederationRouters(deps: FederationRouteDeps): Router[] {
  const journey = new Router({ prefix: '/interaction/:uid' });
  const callback = new Router();
  const linkPage = (ctx: Context, link: { email: string; connectorName: string }, error?: string, status = 200) =>
    renderPage(deps, ctx, 'journey/federation-link', { title: 'Sign in to link your account', ...link, error }, status);

  // The upstream redirects here (it cannot know the interaction's path); the state names the flow.
  callback.get('/federation/callback', async (ctx) => {
    const outcome = await deps.federation.receiveCallback(new URLSearchParams(ctx.querystring));
    if (outcome.status === 'unknown_state') {
      return errorPage(deps, ctx, 'Sign-in could not be completed', 'This sign-in link is not valid or has expired. Go back to the app and sign in again.', 400);
    }
    if (outcome.status === 'upstream_error') {
      const message = outcome.cancelled
        ? `Sign-in with ${outcome.connectorName} was cancelled. You can try again or sign in with your email.`
        : `${outcome.connectorName} could not sign you in. You can try again or sign in with your email.`;
      return errorPage(deps, ctx, 'Sign-in not completed', message, 400, outcome.interactionUid);
    }
    ctx.redirect(`/interaction/${encodeURIComponent(outcome.interactionUid)}/federation/continue`);
    ctx.status = 303;
  });

  journey.get('/federation/continue', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const outcome = await deps.federation.completeReturn(interaction.uid);
    switch (outcome.status) {
      case 'signed_in':
        return finishLogin(deps, ctx, outcome.accountId, ['fed']);
      case 'prove_ownership':
        ctx.redirect(`/interaction/${interaction.uid}/federation/link`);
        ctx.status = 303;
        return;
      case 'email_unconfirmed':
        ctx.redirect(`/interaction/${interaction.uid}/federation/email`);
        ctx.status = 303;
        return;
      case 'refused':
        return errorPage(deps, ctx, 'Sign-in not possible', `This ${outcome.connectorName} account cannot be used to sign in here.`, 403);
      case 'failed':
        return errorPage(deps, ctx, 'Sign-in could not be completed', `${outcome.connectorName ?? 'The sign-in service'} did not confirm who you are. Try again or sign in with your email.`, 400);
    }
  });

  journey.get('/federation/link', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const link = await deps.federation.pendingLink(interaction.uid);
    if (!link) return ctx.redirect(`/interaction/${interaction.uid}`);
    linkPage(ctx, link);
  });

  journey.post('/federation/link', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const link = await deps.federation.pendingLink(interaction.uid);
    if (!link) return ctx.redirect(`/interaction/${interaction.uid}`);
    const password = field(fields, 'password', 4096);
    if (!password) return linkPage(ctx, link, 'Enter your password.', 400);
    const verdict = await deps.passwords.verifyPassword({ email: link.email, password, address: ctx.ip });
    if (verdict.status === 'throttled') return linkPage(ctx, link, tooManyAttempts(verdict.retryAfterSeconds, 'reset your password'), 429);
    if (verdict.status === 'invalid' || verdict.accountId !== link.accountId) return linkPage(ctx, link, 'Incorrect email or password.', 401);
    await deps.federation.completeLink(interaction.uid, verdict.accountId);
    await completeInteractiveLogin(deps, ctx, verdict.accountId, [...verdict.amr, 'fed']);
  });

  // The upstream confirmed no email: ask for one (the old refusal's alternatives stay on the page), mail a code.
  const emailPage = (ctx: Context, connectorName: string, error?: string, status = 200, email?: string) =>
    renderPage(deps, ctx, 'journey/federation-unconfirmed', { title: 'We could not confirm your email', connectorName, email, error }, status);
  const codePage = (ctx: Context, pending: { connectorName: string; email: string }, error?: string, status = 200) =>
    renderPage(deps, ctx, 'journey/federation-email-code', { title: 'Check your email', ...pending, error }, status);
  const expired = (ctx: Context) =>
    errorPage(deps, ctx, 'Sign-in could not be completed', 'This sign-in has expired. Go back and sign in again.', 400);

  journey.get('/federation/email', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const pending = await deps.federationEmail.pending(interaction.uid);
    if (!pending) return ctx.redirect(`/interaction/${interaction.uid}`);
    emailPage(ctx, pending.connectorName);
  });

  journey.post('/federation/email', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const pending = await deps.federationEmail.pending(interaction.uid);
    if (!pending) return expired(ctx);
    const email = emailSchema.safeParse(field(fields, 'email', 1024));
    if (!email.success) return emailPage(ctx, pending.connectorName, firstError(email), 400, field(fields, 'email', 254));
    const sent = await deps.federationEmail.sendCode({ interactionUid: interaction.uid, email: email.data, address: ctx.ip });
    if (sent.status === 'throttled') return emailPage(ctx, pending.connectorName, tooManyAttempts(sent.retryAfterSeconds), 429, email.data);
    if (sent.status === 'expired') return expired(ctx);
    // Post, redirect, get: reloading the page never sends another mail.
    ctx.redirect(`/interaction/${interaction.uid}/federation/email/code`);
    ctx.status = 303;
  });

  journey.get('/federation/email/code', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const pending = await deps.federationEmail.pending(interaction.uid);
    if (!pending?.email) return ctx.redirect(`/interaction/${interaction.uid}/federation/email`);
    codePage(ctx, { connectorName: pending.connectorName, email: pending.email });
  });

  journey.post('/federation/email/code', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    const pending = await deps.federationEmail.pending(interaction.uid);
    if (!pending?.email) return expired(ctx);
    const pendingCode = { connectorName: pending.connectorName, email: pending.email };
    const code = codeSchema.safeParse(field(fields, 'code', 64));
    if (!code.success) return codePage(ctx, pendingCode, firstError(code), 400);
    const result = await deps.federationEmail.verifyCode({ interactionUid: interaction.uid, code: code.data, address: ctx.ip });
    switch (result.status) {
      case 'signed_in':
        return finishLogin(deps, ctx, result.accountId, ['fed']);
      case 'prove_ownership':
        ctx.redirect(`/interaction/${interaction.uid}/federation/link`);
        ctx.status = 303;
        return;
      case 'throttled':
        return codePage(ctx, pendingCode, tooManyAttempts(result.retryAfterSeconds), 429);
      case 'refused':
        return errorPage(deps, ctx, 'Sign-in not possible', 'This email cannot be used to sign in here.', 403);
      case 'failed':
        return errorPage(deps, ctx, 'Sign-in could not be completed', 'Your account could not be set up. Go back and sign in again.', 409);
      default:
        return codePage(ctx, pendingCode, describeCodeVerdict(result.status), 400);
    }
  });

  // After the fixed paths above, so a connector cannot shadow them (ids 'link', 'continue' and 'email' are refused by the config).
  journey.post('/federation/:connector', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    if (interaction.prompt.name !== 'login') return ctx.redirect(`/interaction/${interaction.uid}`);
    let url: string | undefined;
    try {
      url = await deps.federation.start(interaction.uid, String(ctx.params.connector));
    } catch {
      return errorPage(deps, ctx, 'Sign-in unavailable', 'That sign-in service cannot be reached right now. Try again later, or sign in with your email.', 503);
    }
    if (!url) return errorPage(deps, ctx, 'Not found', 'That sign-in option is not available.', 404);
    ctx.redirect(url);
    ctx.status = 303;
  });

  return [journey, callback];
}
