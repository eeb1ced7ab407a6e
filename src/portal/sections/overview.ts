// Owns the overview section (/account/overview, /account/api/overview): who is signed in (email, whether
// it is verified, account status), and changing the email address — a fresh sign-in, then a code mailed
// to the new address; the old address is told.
import type { Context } from 'koa';
import { z } from 'zod';
import { emailSchema } from '../../accounts/email-address.ts';
import { describeEmailChangeResult, tooManyAttempts } from '../../accounts/email-change.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { accountToken, portalState, type PortalDeps, type PortalSection } from '../types.ts';
import { redirectDone } from './shared.ts';

const STATUS_TEXT: Record<string, string> = {
  lite: 'Email only: no password or passkey yet',
  active: 'Active',
  restricted: 'Processing restricted',
  disabled: 'Disabled',
};
const DONE: Record<string, string> = {
  email: 'Your email address was changed.',
  link: 'You opened your account with the link we emailed you.',
};
const codeSchema = z.string().trim().regex(/^\d{6}$/, 'Enter the 6-digit code from the email.');

function overviewPage(deps: PortalDeps, ctx: Context, state: { error?: string; newEmail?: string; status?: number } = {}): void {
  const { account } = portalState(ctx);
  deps.render(ctx, 'portal/overview', {
    title: 'Your account', email: account.email, emailVerified: account.emailVerified, newEmail: state.newEmail,
    status: STATUS_TEXT[account.status] ?? account.status, createdAt: account.createdAt.toUTCString(),
    notice: DONE[String(ctx.query.done ?? '')], error: state.error,
  }, state.status);
}

const verifyPage = (deps: PortalDeps, ctx: Context, data: { changeId: string; email: string; error?: string }, status = 200) =>
  deps.render(ctx, 'portal/email-verify', { title: 'Check your email', ...data }, status);

export const overviewSection: PortalSection = {
  id: 'overview',
  title: 'Overview',
  navOrder: 10,
  pages(router, deps) {
    router.get('/', (ctx) => overviewPage(deps, ctx));

    router.post('/email', deps.requireFreshAuth(), async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      const email = emailSchema.safeParse(fields.get('email') ?? '');
      if (!email.success) return overviewPage(deps, ctx, { error: email.error.issues[0]?.message, newEmail: (fields.get('email') ?? '').slice(0, 254), status: 400 });
      const result = await deps.services.emailChange.startEmailChange({ accountId: portalState(ctx).account.id, newEmail: email.data, address: ctx.ip });
      if (result.status === 'same_email') return overviewPage(deps, ctx, { error: 'That is already your email address.', status: 400 });
      if (result.status === 'throttled') return overviewPage(deps, ctx, { error: tooManyAttempts(result.retryAfterSeconds), status: 429 });
      verifyPage(deps, ctx, { changeId: result.changeId, email: email.data });
    });

    router.post('/email/verify', async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      const { account } = portalState(ctx);
      const changeId = (fields.get('change') ?? '').slice(0, 64);
      const email = await deps.services.emailChange.pendingEmail(account.id, changeId);
      if (!email) return overviewPage(deps, ctx, { error: 'This change has expired. Start again.', status: 400 });
      const code = codeSchema.safeParse(fields.get('code') ?? '');
      if (!code.success) return verifyPage(deps, ctx, { changeId, email, error: code.error.issues[0]?.message }, 400);
      const result = await deps.services.emailChange.confirmEmailChange({ accountId: account.id, changeId, code: code.data, address: ctx.ip });
      if (result.status !== 'ok') return verifyPage(deps, ctx, { changeId, email, error: describeEmailChangeResult(result) }, result.status === 'throttled' ? 429 : 400);
      redirectDone(ctx, '/account/overview', 'email');
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      const account = await deps.services.accounts.findAccountById(accountToken(ctx).accountId);
      if (!account) return;
      ctx.body = { id: account.id, email: account.email, email_verified: account.emailVerified, status: account.status, created_at: account.createdAt.toISOString() };
    });

    router.post('/email', deps.requireFreshApiAuth(), async (ctx) => {
      const body = jsonBody(ctx, z.object({ email: emailSchema }));
      const result = await deps.services.emailChange.startEmailChange({ accountId: accountToken(ctx).accountId, newEmail: body.email, address: ctx.ip });
      if (result.status === 'same_email') throw new AppError('same_email', 'That is already the account’s email address.', 400);
      if (result.status === 'throttled') throw new AppError('too_many_attempts', tooManyAttempts(result.retryAfterSeconds), 429);
      ctx.status = 202;
      ctx.body = { change_id: result.changeId, message: 'A code was mailed to the new address.' };
    });

    router.post('/email/verify', async (ctx) => {
      const body = jsonBody(ctx, z.object({ change_id: z.string().max(64), code: codeSchema }));
      const result = await deps.services.emailChange.confirmEmailChange({ accountId: accountToken(ctx).accountId, changeId: body.change_id, code: body.code, address: ctx.ip });
      if (result.status !== 'ok') throw new AppError(result.status === 'throttled' ? 'too_many_attempts' : `email_change.${result.status}`, describeEmailChangeResult(result), result.status === 'throttled' ? 429 : 400);
      ctx.body = { email: result.email, email_verified: true };
    });
  },
};
