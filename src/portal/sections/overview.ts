// Owns the overview section (/account/overview, /account/api/overview): who is signed in (email, whether
// it is verified, account status), and changing the email address — a fresh sign-in, then a code mailed
// to the new address; the old address is told.
import type { Context } from 'koa';
import { z } from 'zod';
import { emailSchema } from '../../accounts/email-address.ts';
import { describeEmailChangeResult, tooManyAttempts, type EmailChangeResult } from '../../accounts/email-change.ts';
import { t } from '../../i18n/translate.ts';
import { describeCode, tooManyAttempts as tooManyAttemptsText } from './words.ts';
import { languagePages, savedLanguageChoices } from './language.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { accountToken, portalState, type PortalDeps, type PortalSection } from '../types.ts';
import { formatTime, noticeOf, redirectDone } from './shared.ts';

const STATUS_TEXT: Record<string, string> = {
  lite: 'portal.overview.status_lite',
  active: 'portal.overview.status_active',
  restricted: 'portal.overview.status_restricted',
  disabled: 'portal.overview.status_disabled',
};
const DONE: Record<string, string> = {
  email: 'portal.overview.done_email',
  link: 'portal.overview.done_link',
  language: 'portal.overview.language_saved',
};
const codeSchema = z.string().trim().regex(/^\d{6}$/, 'journey.code.invalid');

/** An email change's refusal in the reader's language (the API keeps describeEmailChangeResult's English). */
function describeChangeRefusal(result: Exclude<EmailChangeResult, { status: 'ok' }>): string {
  switch (result.status) {
    case 'taken': return t('portal.overview.taken');
    case 'expired': return t('portal.overview.change_expired');
    case 'throttled': return tooManyAttemptsText(result.retryAfterSeconds);
    case 'invalid': return describeCode('invalid');
    case 'exhausted': return t('portal.overview.code_exhausted');
  }
}

/** The address form's error: too long, or not an address. */
const emailError = (raw: string) => t(raw.trim().length > 254 ? 'portal.common.email_too_long' : 'portal.common.email_invalid');

async function overviewPage(deps: PortalDeps, ctx: Context, state: { error?: string; newEmail?: string; status?: number } = {}): Promise<void> {
  const { account } = portalState(ctx);
  deps.render(ctx, 'portal/overview', {
    title: t('portal.overview.title'), email: account.email, emailVerified: account.emailVerified, newEmail: state.newEmail,
    status: STATUS_TEXT[account.status] ? t(STATUS_TEXT[account.status]!) : account.status, createdAt: formatTime(account.createdAt),
    notice: noticeOf(DONE, ctx.query.done), error: state.error,
    savedLanguages: await savedLanguageChoices(deps, account.id),
  }, state.status);
}

const verifyPage = (deps: PortalDeps, ctx: Context, data: { changeId: string; email: string; error?: string }, status = 200) =>
  deps.render(ctx, 'portal/email-verify', { title: t('portal.verify.title'), ...data }, status);

export const overviewSection: PortalSection = {
  id: 'overview',
  title: 'portal.nav.overview',
  navOrder: 10,
  pages(router, deps) {
    router.get('/', (ctx) => overviewPage(deps, ctx));
    languagePages(router, deps, (ctx, error) => overviewPage(deps, ctx, { error, status: 400 }));

    router.post('/email', deps.requireFreshAuth(), async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      const email = emailSchema.safeParse(fields.get('email') ?? '');
      if (!email.success) return overviewPage(deps, ctx, { error: emailError(fields.get('email') ?? ''), newEmail: (fields.get('email') ?? '').slice(0, 254), status: 400 });
      const result = await deps.services.emailChange.startEmailChange({ accountId: portalState(ctx).account.id, newEmail: email.data, address: ctx.ip });
      if (result.status === 'same_email') return overviewPage(deps, ctx, { error: t('portal.overview.same_email'), status: 400 });
      if (result.status === 'throttled') return overviewPage(deps, ctx, { error: tooManyAttemptsText(result.retryAfterSeconds), status: 429 });
      verifyPage(deps, ctx, { changeId: result.changeId, email: email.data });
    });

    router.post('/email/verify', async (ctx) => {
      const fields = deps.csrf.verifiedForm(ctx);
      const { account } = portalState(ctx);
      const changeId = (fields.get('change') ?? '').slice(0, 64);
      const email = await deps.services.emailChange.pendingEmail(account.id, changeId);
      if (!email) return overviewPage(deps, ctx, { error: t('portal.overview.change_expired'), status: 400 });
      const code = codeSchema.safeParse(fields.get('code') ?? '');
      if (!code.success) return verifyPage(deps, ctx, { changeId, email, error: t('portal.common.code_format') }, 400);
      const result = await deps.services.emailChange.confirmEmailChange({ accountId: account.id, changeId, code: code.data, address: ctx.ip });
      if (result.status !== 'ok') return verifyPage(deps, ctx, { changeId, email, error: describeChangeRefusal(result) }, result.status === 'throttled' ? 429 : 400);
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
