// Owns turning errors into answers: a page for browsers, JSON for APIs, never a stack trace.
import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../errors/database-unavailable.ts';
import { isAppError, type AppError } from '../errors/app-error.ts';
import { isMessageKey, t } from '../i18n/translate.ts';
import type { Logger } from '../log.ts';
import type { Views } from './views.ts';

// A path may carry a secret (the mailed sign-in link's token): long opaque segments never reach the log.
export const loggedPath = (ctx: Context) => ctx.path.replace(/[\w-]{32,}/g, '…');

const wantsJson = (ctx: Context) => ctx.path.startsWith('/admin/api') || ctx.path.startsWith('/api/') || ctx.path.startsWith('/account/api') || (ctx.accepts('html', 'json') === 'json');

/** The database cannot be reached: 503 with Retry-After, never a verdict on the request (a token is not "invalid"). */
function answerUnavailable(ctx: Context, views: Views, log: Logger, requestId: string): void {
  log.warn({ requestId, path: loggedPath(ctx) }, 'database unavailable');
  ctx.status = 503;
  ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
  ctx.set('Cache-Control', 'no-store');
  const message = t('errors.unavailable.message');
  if (wantsJson(ctx)) ctx.body = { error: 'server.unavailable', message, request_id: requestId };
  else ctx.body = views.render('errors/error', { title: t('errors.unavailable.title'), message, requestId });
}

/**
 * An AppError's message for a person: its catalogue message (errors.app.<code>) in the reader's language
 * when the catalogue has one, else the message it was raised with. The code stays as it is.
 */
function shownMessage(error: AppError): string {
  const key = `errors.app.${error.code}`;
  return isMessageKey(key) ? t(key) : error.message;
}

export function errorHandler(views: Views, log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    try {
      await next();
      if (ctx.respond !== false && ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        if (wantsJson(ctx)) ctx.body = { error: 'not_found', message: 'Nothing here.' };
        else ctx.body = views.render('errors/error', { title: t('errors.not_found.title'), message: t('errors.not_found.message') });
      }
    } catch (error) {
      if (isDatabaseUnavailable(error)) return answerUnavailable(ctx, views, log, requestId);
      const known = isAppError(error) ? error : undefined;
      const httpError = error as { status?: number; expose?: boolean; message?: string };
      const status = known?.status ?? (typeof httpError.status === 'number' && httpError.status >= 400 && httpError.status < 600 ? httpError.status : 500);
      const message = known?.expose || (status < 500 && httpError.expose) ? (known ? shownMessage(known) : httpError.message ?? t('errors.bad_request')) : t('errors.server.message');
      const code = known?.code ?? (status >= 500 ? 'server.error' : 'request.invalid');
      if (status >= 500) log.error({ err: error, requestId, path: loggedPath(ctx) }, 'request failed');
      else log.info({ code, status, path: loggedPath(ctx) }, 'request refused');
      ctx.status = status;
      if (wantsJson(ctx)) ctx.body = { error: code, message, request_id: requestId };
      else ctx.body = views.render('errors/error', { title: status >= 500 ? t('errors.server.title') : t('errors.page.refused'), message, requestId: status >= 500 ? requestId : undefined });
    }
  };
}
