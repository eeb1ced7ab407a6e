// Owns what every journey route needs: the running Provider, the interaction it is answering, and page
// rendering with the CSRF token and the interaction's uid filled in.
import type { Context } from 'koa';
import type { InteractionResults, Provider } from '../oidc/provider.ts';
import { acrForAmr } from '../authn/mfa/policy.ts';
import { isDatabaseUnavailable } from '../errors/database-unavailable.ts';
import { AppError } from '../errors/app-error.ts';
import type { Views } from '../http/views.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { SignInDevices } from './device-cookie.ts';
import { addLanguageSignals } from '../i18n/request-language.ts';
import { chooseBrandOfClient } from '../brands/request-brand.ts';

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface JourneyPorts {
  provider(): Provider;
  views: Views;
  devices: SignInDevices;
  /** Notes each completed sign-in on the account (operators see and filter by it). */
  /** A sign-in completed: its time on the account, and an `account.signed_in` event (the audit log, the dashboard). */
  stampSignIn(accountId: string, amr: readonly string[]): Promise<void>;
  metrics: Pick<Metrics, 'signIn' | 'signUp'>;
}

const READ = Symbol('journey interaction');

/**
 * The interaction this request answers, read once per request (the page's connector buttons and the step's
 * result reuse it: each read is a statement).
 */
export function interactionOfRequest(ports: Pick<JourneyPorts, 'provider'>, ctx: Context): Promise<Interaction> {
  const state = ctx.state as { [READ]?: Promise<Interaction> };
  state[READ] ??= ports.provider().interactionDetails(ctx.req, ctx.res);
  return state[READ];
}

export async function loadInteraction(ports: JourneyPorts, ctx: Context): Promise<Interaction> {
  try {
    const interaction = await interactionOfRequest(ports, ctx);
    if (interaction.uid !== ctx.params.uid) throw new Error('uid mismatch');
    const uiLocales = interaction.params.ui_locales;
    if (typeof uiLocales === 'string') addLanguageSignals({ uiLocales });
    // The journey's pages are in the brand of the app the customer is signing in to.
    chooseBrandOfClient(typeof interaction.params.client_id === 'string' ? interaction.params.client_id : undefined);
    return interaction;
  } catch (error) {
    if (isDatabaseUnavailable(error)) throw error;
    throw new AppError('journey.expired', 'This sign-in has expired or was started in another browser. Go back to the app and sign in again.', 400);
  }
}

export function renderPage(ports: JourneyPorts, ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status = 200): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = ports.views.render(view, { ...data, csrfToken: ctx.state.csrfToken, uid: ctx.params.uid });
}

export { ACR_SINGLE_FACTOR } from '../authn/mfa/policy.ts';

/** What a login step proved beyond its amr: sign-up's code proved the email (read by the next prompt as its last submission). */
export interface LoginProof {
  emailProved?: boolean;
}

/**
 * Ends the login prompt: the account is authenticated by the methods in `amr` (RFC 8176 values). The
 * browser is noted as one of the account's devices; a device new to the account gets it a mail.
 */
export async function finishLogin(ports: JourneyPorts, ctx: Context, accountId: string, amr: string[], proof: LoginProof = {}): Promise<void> {
  // A user-verified passkey is two factors on its own (acr 2fa); everything else here is one.
  await finish(ports, ctx, { login: { accountId, amr, acr: acrForAmr(amr), remember: true, ...(proof.emailProved ? { emailProved: true } : {}) } }, false);
  ports.metrics.signIn([...amr].sort().join('+'));
  await ports.devices.noteSignIn(ctx, accountId);
}

/**
 * After the account's sessions were ended, the interaction no longer belongs to this browser's old session
 * (oidc-provider would refuse to resume it): it resumes into a new one, as it does after a change of account.
 */
export async function forgetEndedSession(interaction: Interaction, accountId: string): Promise<void> {
  if (interaction.session?.accountId !== accountId) return;
  interaction.session = undefined;
  await interaction.persist();
}

/**
 * Hands the result to oidc-provider and follows its redirect back into the authorization. Without a session in
 * the interaction (a fresh browser) the interaction read at this request's start gets the result, as
 * `interactionResult` would after reading it again; with one, `interactionResult` reads it afresh and checks
 * that the session still exists and has the same account.
 */
export async function finish(ports: JourneyPorts, ctx: Context, result: InteractionResults, merge: boolean): Promise<void> {
  if (result.login?.accountId) await ports.stampSignIn(result.login.accountId, result.login.amr ?? []);
  const read = await (ctx.state as { [READ]?: Promise<Interaction> })[READ]?.catch(() => undefined);
  const redirectTo = read && !read.session && read.uid === ctx.params.uid
    ? await saveResult(read, result, merge)
    : await ports.provider().interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
  ctx.redirect(redirectTo);
  ctx.status = 303;
}

/** What oidc-provider's `interactionResult` does once it has the interaction. */
async function saveResult(interaction: Interaction, result: InteractionResults, merge: boolean): Promise<string> {
  interaction.result = merge && !('error' in result) ? { ...interaction.lastSubmission, ...result } : result;
  await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
  return interaction.returnTo;
}
