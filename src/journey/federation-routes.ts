// Owns the social sign-in pages: the redirect to the upstream, its callback (/federation/callback, a redirect
// or Apple's cross-site form_post, bound by state), and the email (mailed code) asked for when the upstream
// confirmed none. Linking and the import page are in federation-link-routes.ts.
import { t } from '../i18n/translate.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { ConnectorRegistry } from '../authn/federation/connectors.ts';
import type { FederationEmailConfirmation } from '../authn/federation/email-confirmation.ts';
import type { FederatedSignIn } from '../authn/federation/sign-in.ts';
import { describeCodeVerdict } from '../flows/codes.ts';
import { formFields } from '../http/body.ts';
import type { Csrf } from '../http/csrf.ts';
import type { ClientStore } from '../oidc/clients.ts';
import { interactionOfRequest, loadInteraction, renderPage } from './context.ts';
import { continueSignedIn, federationErrorPage } from './federation-continue.ts';
import { createFederationLinkRouter, type FederationLinkDeps } from './federation-link-routes.ts';
import { codeSchema, emailSchema, field, firstError, tooManyAttempts } from './forms.ts';

export interface FederationRouteDeps extends FederationLinkDeps {
  csrf: Csrf;
  federation: FederatedSignIn;
  federationEmail: FederationEmailConfirmation;
  clients: Pick<ClientStore, 'findClientMetadata'>;
}

/** The connectors a client lists in its `foyer_connectors` metadata; undefined (none listed) means every enabled one. */
export async function clientConnectors(clients: Pick<ClientStore, 'findClientMetadata'>, clientId: unknown): Promise<string[] | undefined> {
  const metadata = typeof clientId === 'string' ? await clients.findClientMetadata(clientId) : undefined;
  const listed = metadata?.foyer_connectors;
  return Array.isArray(listed) ? listed.filter((id): id is string => typeof id === 'string') : undefined;
}

/** The "Continue with …" buttons of this interaction's sign-in page: the enabled connectors its client shows. */
export function createConnectorButtons(deps: Pick<FederationRouteDeps, 'provider' | 'clients'> & { connectors: ConnectorRegistry }) {
  return async (ctx: Context): Promise<{ id: string; name: string }[]> => {
    // Social buttons are an extra: whatever fails here, the page still offers the email sign-in.
    try {
      const clientId = (await interactionOfRequest(deps, ctx)).params.client_id;
      return await deps.connectors.buttonsFor(await clientConnectors(deps.clients, clientId));
    } catch {
      return [];
    }
  };
}

export function createFederationRouters(deps: FederationRouteDeps): Router[] {
  const journey = new Router({ prefix: '/interaction/:uid' });
  const callback = new Router();
  const errorPage = (ctx: Context, title: string, message: string, status: number, uid?: string) => federationErrorPage(deps, ctx, title, message, status, uid);

  // The upstream comes back here (it cannot know the interaction's path); the state names the flow. Apple
  // posts its answer cross-site (response_mode=form_post): no cookie and no CSRF token come with it, so the
  // state alone binds it, and the interaction's own page (with its cookie) redeems it.
  async function receive(ctx: Context, params: URLSearchParams): Promise<void> {
    const outcome = await deps.federation.receiveCallback(params);
    if (outcome.status === 'unknown_state') {
      return errorPage(ctx, t('journey.federation.failed'), t('journey.federation.invalid_link'), 400);
    }
    if (outcome.status === 'upstream_error') {
      const message = outcome.cancelled
        ? t('journey.federation.cancelled', { connector: outcome.connectorName })
        : t('journey.federation.upstream_error', { connector: outcome.connectorName });
      return errorPage(ctx, t('journey.federation.not_completed'), message, 400, outcome.interactionUid);
    }
    ctx.redirect(`/interaction/${encodeURIComponent(outcome.interactionUid)}/federation/continue`);
    ctx.status = 303;
  }
  callback.get('/federation/callback', (ctx) => receive(ctx, new URLSearchParams(ctx.querystring)));
  callback.post('/federation/callback', (ctx) => receive(ctx, formFields(ctx)));

  journey.get('/federation/continue', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const outcome = await deps.federation.completeReturn(interaction.uid);
    switch (outcome.status) {
      case 'signed_in':
        if (outcome.created) deps.metrics.signUp('federation');
        return continueSignedIn(deps, ctx, { accountId: outcome.accountId, amr: ['fed'], connector: outcome.connector, profile: outcome.profile, finish: 'login' });
      case 'prove_ownership':
        ctx.redirect(`/interaction/${interaction.uid}/federation/link`);
        ctx.status = 303;
        return;
      case 'email_unconfirmed':
        ctx.redirect(`/interaction/${interaction.uid}/federation/email`);
        ctx.status = 303;
        return;
      case 'refused':
        return errorPage(ctx, t('journey.federation.not_possible'), t('journey.federation.account_refused', { connector: outcome.connectorName }), 403);
      case 'failed':
        return errorPage(ctx, t('journey.federation.failed'), outcome.connectorName ? t('journey.federation.unconfirmed', { connector: outcome.connectorName }) : t('journey.federation.unconfirmed_unnamed'), 400);
    }
  });

  // The upstream confirmed no email: ask for one (the old refusal's alternatives stay on the page), mail a code.
  const emailPage = (ctx: Context, connectorName: string, error?: string, status = 200, email?: string) =>
    renderPage(deps, ctx, 'journey/federation-unconfirmed', { title: t('journey.federation_unconfirmed.title'), connectorName, email, error }, status);
  const codePage = (ctx: Context, pending: { connectorName: string; email: string }, error?: string, status = 200) =>
    renderPage(deps, ctx, 'journey/federation-email-code', { title: t('journey.verify_email.title'), ...pending, error }, status);
  const expired = (ctx: Context) =>
    errorPage(ctx, t('journey.federation.failed'), t('journey.federation.expired'), 400);

  journey.get('/federation/email', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const pending = await deps.federationEmail.pending(interaction.uid);
    if (!pending) return ctx.redirect(`/interaction/${interaction.uid}`);
    emailPage(ctx, pending.connectorName, undefined, 200, pending.email ?? pending.suggestedEmail);
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
        if (result.created) deps.metrics.signUp('federation');
        return continueSignedIn(deps, ctx, { accountId: result.accountId, amr: ['fed'], connector: result.connector, profile: result.profile, finish: 'login' });
      case 'prove_ownership':
        ctx.redirect(`/interaction/${interaction.uid}/federation/link`);
        ctx.status = 303;
        return;
      case 'throttled':
        return codePage(ctx, pendingCode, tooManyAttempts(result.retryAfterSeconds), 429);
      case 'refused':
        return errorPage(ctx, t('journey.federation.not_possible'), t('journey.federation.email_refused'), 403);
      case 'failed':
        return errorPage(ctx, t('journey.federation.failed'), t('journey.federation.setup_failed'), 409);
      default:
        return codePage(ctx, pendingCode, describeCodeVerdict(result.status), 400);
    }
  });

  // After the fixed paths above, so a connector cannot shadow them (ids such as 'link', 'continue', 'email'
  // and 'import' are refused by the config schema).
  journey.post('/federation/:connector', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    if (interaction.prompt.name !== 'login') return ctx.redirect(`/interaction/${interaction.uid}`);
    let url: string | undefined;
    try {
      url = await deps.federation.start(interaction.uid, String(ctx.params.connector), await clientConnectors(deps.clients, interaction.params.client_id));
    } catch {
      return errorPage(ctx, t('journey.federation.unavailable_title'), t('journey.federation.unavailable'), 503);
    }
    if (!url) return errorPage(ctx, t('errors.not_found.title'), t('journey.federation.no_option'), 404);
    ctx.redirect(url);
    ctx.status = 303;
  });

  // The link and import pages first: their fixed paths must win over /federation/:connector.
  return [createFederationLinkRouter(deps), journey, callback];
}
