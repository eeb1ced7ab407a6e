// Owns the pages of the device authorization grant (RFC 8628) that oidc-provider renders: entering the
// code shown on a TV or speaker, confirming it, and the final page. Foyer renders them with its views;
// oidc-provider's own form supplies the action and its xsrf token.
import { t } from '../i18n/translate.ts';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Views } from '../http/views.ts';

/** The action and xsrf token of the form oidc-provider generated (its markup has no label, so we render our own). */
function formParts(form: string): { action: string; xsrf: string } {
  return {
    action: /action="([^"]+)"/.exec(form)?.[1] ?? '/device',
    xsrf: /name="xsrf" value="([^"]+)"/.exec(form)?.[1] ?? '',
  };
}

function page(ctx: KoaContextWithOIDC, views: Views, name: string, data: { title: string; [key: string]: unknown }, status?: number) {
  if (status) ctx.status = status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = views.render(name, data);
}

function describeError(err: unknown): string | undefined {
  if (!err) return undefined;
  const { name, userCode } = err as { name?: string; userCode?: unknown };
  if (userCode || name === 'NoCodeError') return t('device.error.code');
  if (name === 'AbortedError') return t('device.error.aborted');
  return t('device.error.other');
}

export function createDevicePages(views: Views) {
  return {
    async userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out?: unknown, err?: unknown) {
      const error = describeError(err);
      page(ctx, views, 'journey/device-code', { title: t('device.code.title'), ...formParts(form), error }, error ? 400 : undefined);
    },
    async userCodeConfirmSource(ctx: KoaContextWithOIDC, form: string, client: { clientName?: string; clientId: string }, deviceInfo: { ua?: string }, userCode: string) {
      page(ctx, views, 'journey/device-confirm', {
        title: t('device.confirm.title'), ...formParts(form), userCode, clientName: client.clientName ?? client.clientId, device: deviceInfo?.ua,
      });
    },
    async successSource(ctx: KoaContextWithOIDC) {
      page(ctx, views, 'journey/device-done', { title: t('device.done.title'), clientName: ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId });
    },
  };
}
