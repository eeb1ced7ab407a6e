// Owns the lite sign-up edges: the hosted form a brand links or embeds (/capture, framable only by that
// client's origins), the API for apps (POST /api/capture, a client-credentials token with the capture
// scope), and the confirmation link's page. The rules live in flows/lite-capture.ts.
import { t } from '../i18n/translate.ts';
import { chooseBrandOfClient } from '../brands/request-brand.ts';
import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { LiteCapture } from '../flows/lite-capture.ts';
import type { Csrf } from '../http/csrf.ts';
import { requireBearer, type BearerRule } from '../http/bearer.ts';
import { formFields } from '../http/body.ts';
import { CAPTURE_SCOPE, registeredApiScopes, verifyCaptureToken, type ApiTokenDeps } from '../security/api-tokens.ts';
import type { ClientStore } from '../oidc/clients.ts';
import { constantTimeEqual, keyedHash } from '../security/tokens.ts';
import { emailSchema, field, firstError, tooManyAttempts } from './forms.ts';
import type { JourneyPorts } from './context.ts';
import { localesOf } from './profile-routes.ts';
import { describeIssue } from '../i18n/zod.ts';

export interface CaptureRouteDeps extends JourneyPorts, ApiTokenDeps {
  csrf: Csrf;
  liteCapture: LiteCapture;
  clients: Pick<ClientStore, 'findClientMetadata'>;
  /** Signs the hosted form's token (see formToken). */
  formKey: Buffer;
}

const FORM_TOKEN_SECONDS = 2 * 3600;
const nameSchema = z.string().trim().max(100, 'schema.name.too_long');
const apiBodySchema = z.object({
  email: emailSchema,
  purpose: z.string().min(1).max(64),
  given_name: nameSchema.optional(),
  family_name: nameSchema.optional(),
}).strict();

interface CaptureClient { clientId: string; name: string; origins: string[] }

const originOf = (uri: string) => {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
};

/** `csrf: false` for the framable pages: they carry their own form token and set no cookie (see formToken). */
function render(deps: CaptureRouteDeps, ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status = 200, csrf = true) {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = deps.views.render(view, csrf ? { ...data, csrfToken: ctx.state.csrfToken } : data);
}

export function createCaptureRouter(deps: CaptureRouteDeps): Router {
  const router = new Router();

  /** A client may capture when it was registered with the capture scope; its redirect URIs' origins may frame the form. */
  async function captureClient(clientId: unknown): Promise<CaptureClient | undefined> {
    if (typeof clientId !== 'string' || !/^[\w.:-]{1,128}$/.test(clientId)) return undefined;
    const metadata = await deps.clients.findClientMetadata(clientId) as Record<string, unknown> | undefined;
    if (!metadata || !((metadata.foyer_api_scopes as string[] | undefined) ?? []).includes(CAPTURE_SCOPE)) return undefined;
    const origins = ((metadata.redirect_uris as string[] | undefined) ?? []).map(originOf).filter((o): o is string => Boolean(o));
    return { clientId, name: String(metadata.client_name ?? clientId), origins: [...new Set(origins)] };
  }

  // The form may sit in a cross-site iframe, where SameSite cookies (and so the cookie CSRF token) are not
  // sent: its token is signed by the server instead, bound to the client and a time, so only a form Foyer served recently posts.
  const formToken = (clientId: string, issuedAt = Math.floor(Date.now() / 1000)) => `${issuedAt}.${keyedHash(deps.formKey, `capture-form|${clientId}|${issuedAt}`)}`;
  function checkFormToken(clientId: string, token: string): boolean {
    const issuedAt = Number(token.split('.')[0]);
    if (!Number.isInteger(issuedAt) || Math.floor(Date.now() / 1000) - issuedAt > FORM_TOKEN_SECONDS) return false;
    return constantTimeEqual(token, formToken(clientId, issuedAt));
  }

  /** Only this page may be framed, and only by the client's own origins. */
  function allowFraming(ctx: Context, client: CaptureClient) {
    const csp = String(ctx.response.get('Content-Security-Policy')).replace(/frame-ancestors [^;]*/, `frame-ancestors ${client.origins.length ? client.origins.join(' ') : "'none'"}`);
    ctx.set('Content-Security-Policy', csp);
    ctx.remove('X-Frame-Options');
  }

  function formPage(ctx: Context, client: CaptureClient, purpose: string, data: { email?: string; given_name?: string; family_name?: string; consented?: boolean; errors?: Record<string, string | undefined>; error?: string }, status = 200) {
    allowFraming(ctx, client);
    render(deps, ctx, 'journey/capture', {
      title: t('journey.capture.title', { client: client.name }), clientName: client.name, clientId: client.clientId, purpose,
      purposeLabel: deps.liteCapture.purposeLabel(purpose, localesOf(ctx)), formToken: formToken(client.clientId), ...data,
    }, status, false);
  }

  const unavailable = (ctx: Context) => render(deps, ctx, 'errors/error', { title: t('errors.page.refused'), message: t('journey.capture.unavailable') }, 400);

  // The form is in the client's brand (chooseBrandOfClient, in each route), and offers only a purpose that brand
  // may ask for: its own or a shared one, the same check as the API's (the lite capture's `offer`).
  const offered = async (client: CaptureClient, purpose: string) => (await deps.liteCapture.offer(purpose, client.clientId)) === 'offered';

  router.get('/capture', async (ctx) => {
    const client = await captureClient(ctx.query.client_id);
    if (!client) return unavailable(ctx);
    chooseBrandOfClient(client.clientId);
    const purpose = typeof ctx.query.purpose === 'string' ? ctx.query.purpose : 'newsletter';
    if (!(await offered(client, purpose))) return unavailable(ctx);
    formPage(ctx, client, purpose, {});
  });

  router.post('/capture', async (ctx) => {
    const fields = formFields(ctx);
    const client = await captureClient(fields.get('client_id'));
    if (!client) return unavailable(ctx);
    chooseBrandOfClient(client.clientId);
    const purpose = field(fields, 'purpose', 64);
    if (!(await offered(client, purpose))) return unavailable(ctx);
    if (!checkFormToken(client.clientId, field(fields, 'form_token', 200))) {
      return formPage(ctx, client, purpose, { error: t('journey.capture.form_expired') }, 403);
    }
    const email = emailSchema.safeParse(field(fields, 'email', 254));
    const givenName = nameSchema.safeParse(field(fields, 'given_name', 200));
    const familyName = nameSchema.safeParse(field(fields, 'family_name', 200));
    const consented = fields.get('consent') === 'yes';
    const kept = { email: field(fields, 'email', 254), given_name: field(fields, 'given_name', 200), family_name: field(fields, 'family_name', 200), consented };
    const errors = {
      email: firstError(email), given_name: firstError(givenName), family_name: firstError(familyName),
      consent: consented ? undefined : t('journey.capture.consent_required'),
    };
    if (!email.success || !givenName.success || !familyName.success || !consented) return formPage(ctx, client, purpose, { ...kept, errors }, 400);
    const result = await deps.liteCapture.startCapture({
      email: email.data, givenName: givenName.data || undefined, familyName: familyName.data || undefined, purpose,
      clientId: client.clientId, clientName: client.name, address: ctx.ip, channel: 'capture-page',
    });
    if (result.status === 'unknown_purpose' || result.status === 'other_brand') return unavailable(ctx);
    if (result.status === 'throttled') return formPage(ctx, client, purpose, { ...kept, error: tooManyAttempts(result.retryAfterSeconds) }, 429);
    allowFraming(ctx, client);
    render(deps, ctx, 'journey/capture-sent', { title: t('journey.verify_email.title'), email: email.data }, 200, false);
  });

  const captureBearer: BearerRule<{ clientId: string }> = {
    scope: CAPTURE_SCOPE,
    verify: (token) => verifyCaptureToken(token, deps, registeredApiScopes(deps.clients)),
    messages: {
      missing: 'Send a client-credentials access token for this API, with the capture scope, as "Authorization: Bearer …".',
      invalid: 'The access token is invalid or expired, or not for this API.',
      insufficientScope: () => 'This access token does not carry the capture scope, or its client is no longer allowed it.',
    },
  };

  router.post('/api/capture', async (ctx) => {
    const json = (status: number, body: object) => {
      ctx.status = status;
      ctx.body = body;
    };
    const token = await requireBearer(ctx, captureBearer);
    const client = await captureClient(token.clientId);
    if (!client) return json(403, { error: 'insufficient_scope', message: 'This client may not capture sign-ups.' });
    if (!ctx.is('application/json')) return json(415, { error: 'unsupported_media_type', message: 'Send a JSON body.' });
    let body: unknown;
    try {
      body = JSON.parse(String(ctx.state.rawBody ?? ''));
    } catch {
      return json(400, { error: 'invalid_request', message: 'The body is not valid JSON.' });
    }
    const parsed = apiBodySchema.safeParse(body);
    if (!parsed.success) {
      return json(400, { error: 'invalid_request', message: describeIssue(parsed.error.issues[0]!, 'body') });
    }
    const result = await deps.liteCapture.startCapture({
      email: parsed.data.email, givenName: parsed.data.given_name || undefined, familyName: parsed.data.family_name || undefined, purpose: parsed.data.purpose,
      clientId: client.clientId, clientName: client.name, address: ctx.ip, channel: 'capture-api',
    });
    if (result.status === 'unknown_purpose') return json(400, { error: 'invalid_request', message: `purpose: "${parsed.data.purpose}" is not a purpose this Foyer knows` });
    if (result.status === 'other_brand') {
      return json(400, { error: 'invalid_request', message: `purpose: "${parsed.data.purpose}" belongs to another brand; this client may capture for its own brand's purposes and those shared by all brands` });
    }
    if (result.status === 'throttled') {
      ctx.set('Retry-After', String(result.retryAfterSeconds));
      return json(429, { error: 'too_many_requests', message: tooManyAttempts(result.retryAfterSeconds) });
    }
    json(202, { status: 'pending_confirmation', message: 'A confirmation link was mailed to the address; the sign-up completes when it is used.' });
  });

  router.get('/capture/confirm/:token', async (ctx) => {
    const pending = await deps.liteCapture.describeConfirmation(ctx.params.token!);
    if (!pending) return render(deps, ctx, 'journey/capture-expired', { title: t('journey.link_gone.title') }, 400);
    render(deps, ctx, 'journey/capture-confirm', { title: t('journey.capture.confirm_title'), email: pending.email, purposeLabel: deps.liteCapture.purposeLabel(pending.purpose, localesOf(ctx)), token: ctx.params.token });
  });

  router.post('/capture/confirm/:token', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const result = await deps.liteCapture.confirm(ctx.params.token!);
    if (result.status !== 'confirmed') return render(deps, ctx, 'journey/capture-expired', { title: t('journey.link_gone.title') }, 400);
    render(deps, ctx, 'journey/capture-done', { title: t('journey.capture.done_title') });
  });

  return router;
}
