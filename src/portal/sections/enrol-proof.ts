// Owns the security section's email proof before a FIRST second factor (authenticator app or passkey) is
// added from a session whose sign-in did not prove the email (a password alone): a mailed code, confirmed
// for this portal session only (pages) or this token's sign-in (Account API). See authn/mfa/enrol-proof.ts.
import type { Context } from 'koa';
import type Router from '@koa/router';
import { describeCodeVerdict } from '../../flows/codes.ts';
import { t } from '../../i18n/translate.ts';
import { describeCode } from './words.ts';
import { AppError } from '../../errors/app-error.ts';
import { accountToken, portalState, type PortalDeps } from '../types.ts';

const NEXT = new Set(['totp', 'passkey']);
export const PROOF_MESSAGE = 'Before you add your first authenticator app or passkey, confirm it is you with a code we email you.';
/** The same, in the reader's language (pages). */
export const PROOF_KEY = 'portal.proof.needed';

const pageScope = (ctx: Context) => `portal:${portalState(ctx).session.id}`;
/** The API's proof belongs to the token's sign-in (its OIDC session), else to its client. */
const apiScope = (ctx: Context) => { const token = accountToken(ctx); return `api:${token.sessionUid ?? token.clientId}`; };

/** Whether this portal session must prove the email before adding a first second factor. */
export async function pageNeedsProof(deps: PortalDeps, ctx: Context): Promise<boolean> {
  const { session, account } = portalState(ctx);
  return deps.services.enrolProof.required({ scope: pageScope(ctx), accountId: account.id, amr: session.amr });
}

/** For Account API routes: a token's sign-in method is not known here, so the mailed code is always asked for a first factor. */
export async function requireApiProof(deps: PortalDeps, ctx: Context): Promise<void> {
  const token = accountToken(ctx);
  if (await deps.services.enrolProof.required({ scope: apiScope(ctx), accountId: token.accountId, amr: undefined })) {
    throw new AppError('email_proof_required', `${PROOF_MESSAGE} POST /account/api/security/enrolment-proof mails it; POST /account/api/security/enrolment-proof/confirm with {"code"} confirms it.`, 403);
  }
}

export function proofPage(deps: PortalDeps, ctx: Context, state: { next?: string; sent?: boolean; error?: string; status?: number } = {}): void {
  const next = NEXT.has(state.next ?? '') ? state.next : 'totp';
  deps.render(ctx, 'portal/enrol-proof', { title: t('portal.proof.title'), email: portalState(ctx).account.email, next, sent: state.sent, error: state.error }, state.status);
}

export function enrolProofPages(router: Router, deps: PortalDeps): void {
  const proof = deps.services.enrolProof;
  router.get('/enrol-proof', (ctx) => proofPage(deps, ctx, { next: String(ctx.query.next ?? '') }));

  router.post('/enrol-proof/send', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const next = fields.get('next') ?? '';
    const sent = await proof.sendCode({ scope: pageScope(ctx), accountId: portalState(ctx).account.id, address: ctx.ip });
    if (sent.status === 'throttled') return proofPage(deps, ctx, { next, error: t('portal.common.too_many_attempts', { minutes: Math.ceil(sent.retryAfterSeconds / 60) }), status: 429 });
    if (sent.status === 'unavailable') return proofPage(deps, ctx, { next, error: t('portal.proof.no_email'), status: 400 });
    proofPage(deps, ctx, { next, sent: true });
  });

  router.post('/enrol-proof', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const next = fields.get('next') ?? '';
    const code = (fields.get('code') ?? '').trim();
    if (!/^\d{6}$/.test(code)) return proofPage(deps, ctx, { next, sent: true, error: t('portal.common.code_format'), status: 400 });
    const verdict = await proof.confirmCode({ scope: pageScope(ctx), accountId: portalState(ctx).account.id, code, address: ctx.ip });
    if (verdict.status === 'throttled') return proofPage(deps, ctx, { next, sent: true, error: t('portal.common.too_many_attempts', { minutes: Math.ceil(verdict.retryAfterSeconds / 60) }), status: 429 });
    if (verdict.status !== 'ok') return proofPage(deps, ctx, { next, sent: true, error: describeCode(verdict.status), status: 401 });
    ctx.redirect(next === 'totp' ? '/account/security/totp' : '/account/security');
    ctx.status = 303;
  });
}

export function enrolProofApi(router: Router, deps: PortalDeps, parseCode: (ctx: Context) => string): void {
  const proof = deps.services.enrolProof;
  router.post('/enrolment-proof', async (ctx) => {
    const sent = await proof.sendCode({ scope: apiScope(ctx), accountId: accountToken(ctx).accountId, address: ctx.ip });
    if (sent.status === 'throttled') {
      ctx.set('Retry-After', String(sent.retryAfterSeconds));
      throw new AppError('too_many_attempts', 'Too many codes were sent. Try again later.', 429);
    }
    if (sent.status === 'unavailable') throw new AppError('no_email', 'The account has no email address to send a code to.', 409);
    ctx.status = 202;
    ctx.body = { sent: true };
  });

  router.post('/enrolment-proof/confirm', async (ctx) => {
    const code = parseCode(ctx);
    const verdict = await proof.confirmCode({ scope: apiScope(ctx), accountId: accountToken(ctx).accountId, code, address: ctx.ip });
    if (verdict.status === 'throttled') throw new AppError('too_many_attempts', 'Too many attempts. Try again later.', 429);
    if (verdict.status !== 'ok') throw new AppError(verdict.status === 'invalid' ? 'invalid_code' : `code_${verdict.status}`, describeCodeVerdict(verdict.status), 400);
    ctx.body = { proved: true };
  });
}
