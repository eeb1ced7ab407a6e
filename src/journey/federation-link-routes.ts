// Owns the linking and import pages: proving ownership of the account an upstream email belongs to (its
// password or a mailed code, then its second factor through the mfa step), and choosing what is imported.
import { t } from '../i18n/translate.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import { LINK_BROWSER_COOKIE, type LinkProof, type PendingLink, type ProofResult } from '../authn/federation/link-proof.ts';
import { describeCodeVerdict } from '../flows/codes.ts';
import type { Csrf } from '../http/csrf.ts';
import { finishLogin, loadInteraction, renderPage } from './context.ts';
import { continueSignedIn, endHeldSignIn, federationErrorPage, type SignedInPorts } from './federation-continue.ts';
import { codeSchema, field, firstError, tooManyAttempts } from './forms.ts';

export interface FederationLinkDeps extends SignedInPorts {
  csrf: Csrf;
  linkProof: LinkProof;
  secureCookies: boolean;
}

const LINK_COOKIE_SECONDS = 600;

/** For the mfa step: once the account's second factor passed, makes the link waiting in this browser and goes on. */
export function createLinkAfterSecondFactor(deps: FederationLinkDeps) {
  return async (ctx: Context, accountId: string, amr: string[]): Promise<boolean> => {
    const token = ctx.cookies.get(LINK_BROWSER_COOKIE, { signed: false });
    if (!token) return false;
    ctx.cookies.set(LINK_BROWSER_COOKIE, null, { path: '/' });
    const made = await deps.linkProof.completeAfterSecondFactor(accountId, token);
    if (!made) return false;
    await continueSignedIn(deps, ctx, { ...made, amr: [...amr, 'fed'], finish: 'second_factor' });
    return true;
  };
}

export function createFederationLinkRouter(deps: FederationLinkDeps): Router {
  const router = new Router({ prefix: '/interaction/:uid/federation' });
  const linkPage = (ctx: Context, link: PendingLink, state: { error?: string; notice?: string } = {}, status = 200) =>
    renderPage(deps, ctx, 'journey/federation-link', { title: t('journey.federation_link.title'), ...link, ...state }, status);
  const expired = (ctx: Context) =>
    federationErrorPage(deps, ctx, t('journey.federation.failed'), t('journey.federation.expired'), 400);

  async function pending(ctx: Context): Promise<PendingLink | undefined> {
    const interaction = await loadInteraction(deps, ctx);
    const link = await deps.linkProof.pendingLink(interaction.uid);
    if (!link) {
      ctx.redirect(`/interaction/${interaction.uid}`);
      ctx.status = 303;
    }
    return link;
  }

  /** What a proof attempt leads to: the link made, the mfa step, or the link page again with the reason. */
  async function afterProof(ctx: Context, link: PendingLink, result: ProofResult): Promise<void> {
    switch (result.status) {
      case 'linked':
        return continueSignedIn(deps, ctx, { accountId: result.accountId, amr: [...result.amr, 'fed'], connector: result.connector, profile: result.profile, finish: 'interactive' });
      case 'second_factor':
        // The first factor signs the session in; the mfa prompt then asks the second (like a step-up) and the link follows it.
        ctx.cookies.set(LINK_BROWSER_COOKIE, result.browserToken, { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, signed: false, overwrite: true, path: '/', maxAge: LINK_COOKIE_SECONDS * 1000 });
        return finishLogin(deps, ctx, result.accountId, result.amr);
      case 'invalid':
        return linkPage(ctx, link, { error: t('journey.password.invalid') }, 401);
      case 'throttled':
        return linkPage(ctx, link, { error: tooManyAttempts(result.retryAfterSeconds, 'email_code') }, 429);
      case 'taken':
        return federationErrorPage(deps, ctx, t('journey.federation.failed'), t('journey.federation.linked_meanwhile'), 409);
      case 'expired':
        return expired(ctx);
      case 'code_refused':
        return linkPage(ctx, { ...link, codeSent: true }, { error: describeCodeVerdict(result.verdict) }, 400);
    }
  }

  router.get('/link', async (ctx) => {
    const link = await pending(ctx);
    if (link) linkPage(ctx, link);
  });

  router.post('/link', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const link = await pending(ctx);
    if (!link) return;
    const password = field(fields, 'password', 4096);
    if (!password) return linkPage(ctx, link, { error: t('journey.password.missing') }, 400);
    await afterProof(ctx, link, await deps.linkProof.provePassword({ interactionUid: String(ctx.params.uid), password, address: ctx.ip }));
  });

  router.post('/link/send-code', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const link = await pending(ctx);
    if (!link) return;
    const sent = await deps.linkProof.sendCode({ interactionUid: String(ctx.params.uid), address: ctx.ip });
    if (sent.status === 'throttled') return linkPage(ctx, link, { error: tooManyAttempts(sent.retryAfterSeconds) }, 429);
    if (sent.status === 'expired') return expired(ctx);
    linkPage(ctx, { ...link, codeSent: true }, { notice: t('journey.federation_link.code_sent', { email: link.email }) });
  });

  router.post('/link/code', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const link = await pending(ctx);
    if (!link) return;
    const code = codeSchema.safeParse(field(fields, 'code', 64));
    if (!code.success) return linkPage(ctx, { ...link, codeSent: true }, { error: firstError(code) }, 400);
    await afterProof(ctx, link, await deps.linkProof.proveCode({ interactionUid: String(ctx.params.uid), code: code.data, address: ctx.ip }));
  });

  router.get('/import', async (ctx) => {
    const interaction = await loadInteraction(deps, ctx);
    const found = await deps.profileImport.pendingImport(interaction.uid);
    if (!found) return ctx.redirect(`/interaction/${interaction.uid}`);
    const connectorName = (await deps.connectors.find(found.held.connector))?.name ?? found.held.connector;
    renderPage(deps, ctx, 'journey/federation-import', { title: t('journey.federation_import.title', { connector: connectorName }), connectorName, offers: found.offers });
  });

  router.post('/import', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const interaction = await loadInteraction(deps, ctx);
    // Each checkbox is named by its claim name; a ticked one sends "yes".
    const chosen = new Set([...fields.keys()].filter((name) => fields.get(name) === 'yes'));
    const held = await deps.profileImport.applyChoice(interaction.uid, chosen);
    if (!held) return expired(ctx);
    await endHeldSignIn(deps, ctx, held);
  });

  return router;
}
