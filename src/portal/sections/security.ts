// Owns the security section's pages (/account/security): passkeys (list, rename, remove, add), two-step
// verification (switch, authenticator app, recovery codes) and remembered devices. Removing a factor
// or method needs a fresh sign-in and is refused when it would lock the customer out. Adding a first second
// factor on a session that did not prove the email asks for a mailed code first (enrol-proof.ts).
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { defaultPasskeyName } from '../../authn/passkey/manage.ts';
import { formatTotpSecret } from '../../authn/totp/totp.ts';
import { AppError } from '../../errors/app-error.ts';
import { t } from '../../i18n/translate.ts';
import { enrolProofPages, pageNeedsProof, PROOF_KEY, proofPage } from './enrol-proof.ts';
import { securityApi } from './security-api.ts';
import { describeTotpVerdict, formatTime, noticeOf, notFound, redirectDone } from './shared.ts';
import { describePasskeyRefusal, describeRefusal } from './words.ts';
import { portalState, type PortalDeps, type PortalSection } from '../types.ts';

const DONE: Record<string, string> = {
  renamed: 'portal.security.done_renamed',
  passkey_removed: 'portal.security.done_passkey_removed',
  passkey_added: 'portal.security.done_passkey_added',
  mfa_on: 'portal.security.done_mfa_on',
  mfa_off: 'portal.security.done_mfa_off',
  totp_removed: 'portal.security.done_totp_removed',
  device_revoked: 'portal.security.done_device_revoked',
  devices_revoked: 'portal.security.done_devices_revoked',
};
const RESPONSE_MAX = 64 * 1024;
const challengeScope = (ctx: Context) => `portal:${portalState(ctx).session.id}`;

async function securityPage(deps: PortalDeps, ctx: Context, state: { error?: string; status?: number } = {}): Promise<void> {
  const { account } = portalState(ctx);
  const view = await deps.services.accountSecurity.overview(account.id);
  deps.render(ctx, 'portal/security', {
    title: t('portal.security.title'),
    notice: noticeOf(DONE, ctx.query.done),
    error: state.error,
    passkeysEnabled: deps.services.webauthn.enabled,
    passkeys: view.passkeys.map((p) => ({ ...p, createdAt: formatTime(p.createdAt), lastUsedAt: p.lastUsedAt ? formatTime(p.lastUsedAt) : t('portal.common.never') })),
    totp: view.totp,
    mfaEnabled: view.mfaEnabled,
    enrolProofNeeded: await pageNeedsProof(deps, ctx),
    recoveryCodesLeft: view.recoveryCodesLeft,
    devices: view.devices.map((d) => ({ id: d.id, userAgent: d.userAgent ?? t('portal.common.unknown_browser'), createdAt: formatTime(d.createdAt), lastUsedAt: d.lastUsedAt ? formatTime(d.lastUsedAt) : t('portal.common.not_yet'), expiresAt: formatTime(d.expiresAt) })),
  }, state.status);
}

function pages(router: Parameters<NonNullable<PortalSection['pages']>>[0], deps: PortalDeps): void {
  const security = deps.services.accountSecurity;
  const fresh = deps.requireFreshAuth();

  router.get('/', (ctx) => securityPage(deps, ctx));
  enrolProofPages(router, deps);

  router.post('/passkeys/:id/rename', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const result = await security.renamePasskey(portalState(ctx).account.id, String(ctx.params.id), fields.get('name') ?? '');
    if (result === 'not_found') return notFound();
    if (result === 'invalid_name') return securityPage(deps, ctx, { error: t('portal.security.name_invalid'), status: 400 });
    redirectDone(ctx, '/account/security', 'renamed');
  });

  router.post('/passkeys/:id/remove', fresh, async (ctx) => {
    const result = await security.removePasskey(portalState(ctx).account.id, String(ctx.params.id));
    if (result === 'not_found') return notFound();
    if (result !== 'ok') return securityPage(deps, ctx, { error: describeRefusal(result), status: 409 });
    redirectDone(ctx, '/account/security', 'passkey_removed');
  });

  router.post('/passkeys/register/options', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    const { account } = portalState(ctx);
    if (!deps.services.webauthn.enabled || !account.email) throw new AppError('passkey.unavailable', t('portal.security.passkeys_unavailable'), 400);
    if (await pageNeedsProof(deps, ctx)) throw new AppError('email_proof_required', t(PROOF_KEY), 403);
    ctx.body = await deps.services.passkeys.registrationOptions({ interactionUid: challengeScope(ctx), accountId: account.id, email: account.email });
  });

  router.post('/passkeys/register', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const response = (fields.get('response') ?? '').slice(0, RESPONSE_MAX);
    if (!response) return securityPage(deps, ctx, { error: describePasskeyRefusal('malformed'), status: 400 });
    if (await pageNeedsProof(deps, ctx)) return proofPage(deps, ctx, { next: 'passkey', error: t(PROOF_KEY), status: 403 });
    const { account } = portalState(ctx);
    const result = await deps.services.passkeys.verifyRegistration({ interactionUid: challengeScope(ctx), accountId: account.id, response, name: defaultPasskeyName(ctx.get('user-agent')) });
    if (result.status !== 'ok') return securityPage(deps, ctx, { error: describePasskeyRefusal(result.reason), status: 400 });
    await deps.services.events.emit({ type: 'passkey.added', accountId: account.id, data: { passkeyId: result.passkey.id } });
    redirectDone(ctx, '/account/security', 'passkey_added');
  });

  // Turning two-step on asks nothing more; turning it off is destructive and needs a fresh sign-in.
  router.post('/mfa', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    const on = fields.get('enabled') === 'on';
    const apply = async () => {
      await security.setMfaEnabled(portalState(ctx).account.id, on);
      redirectDone(ctx, '/account/security', on ? 'mfa_on' : 'mfa_off');
    };
    return on ? apply() : fresh(ctx, apply);
  });

  router.get('/totp', async (ctx) => {
    if (await pageNeedsProof(deps, ctx)) return ctx.redirect('/account/security/enrol-proof?next=totp');
    const { account } = portalState(ctx);
    const enrolment = await security.startTotpEnrolment(account.id);
    if (enrolment.status !== 'ok') return ctx.redirect('/account/security');
    await totpPage(deps, ctx, enrolment);
  });

  router.post('/totp', async (ctx) => {
    const fields = deps.csrf.verifiedForm(ctx);
    if (await pageNeedsProof(deps, ctx)) return proofPage(deps, ctx, { next: 'totp', error: t(PROOF_KEY), status: 403 });
    const { account } = portalState(ctx);
    const enrolmentId = (fields.get('enrolment') ?? '').slice(0, 64);
    const result = await security.confirmTotpEnrolment({ accountId: account.id, enrolmentId, code: (fields.get('code') ?? '').slice(0, 16), address: ctx.ip });
    if (result.status === 'ok') {
      if (!result.recoveryCodes) return redirectDone(ctx, '/account/security', 'mfa_on');
      return deps.render(ctx, 'portal/recovery-codes', { title: t('portal.recovery.title'), codes: result.recoveryCodes, enrolled: true });
    }
    if (result.status === 'already_enrolled') return ctx.redirect('/account/security');
    if (result.status === 'expired') return securityPage(deps, ctx, { error: t('portal.security.setup_expired'), status: 400 });
    const again = await security.resumeTotpEnrolment(account.id, enrolmentId);
    if (!again) return securityPage(deps, ctx, { error: t('portal.security.setup_expired'), status: 400 });
    await totpPage(deps, ctx, again, describeTotpVerdict(result), result.status === 'throttled' ? 429 : 400);
  });

  router.post('/totp/remove', fresh, async (ctx) => {
    const result = await security.removeTotp(portalState(ctx).account.id);
    if (result === 'not_found') return notFound();
    if (result !== 'ok') return securityPage(deps, ctx, { error: describeRefusal(result), status: 409 });
    redirectDone(ctx, '/account/security', 'totp_removed');
  });

  router.post('/recovery-codes', fresh, async (ctx) => {
    const codes = await security.regenerateRecoveryCodes(portalState(ctx).account.id);
    deps.render(ctx, 'portal/recovery-codes', { title: t('portal.recovery.title'), codes });
  });

  router.post('/devices/:id/revoke', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    if (!(await security.revokeRememberedDevice(portalState(ctx).account.id, String(ctx.params.id)))) return notFound();
    redirectDone(ctx, '/account/security', 'device_revoked');
  });

  router.post('/devices/revoke-all', async (ctx) => {
    deps.csrf.verifiedForm(ctx);
    await security.revokeAllRememberedDevices(portalState(ctx).account.id);
    redirectDone(ctx, '/account/security', 'devices_revoked');
  });
}

async function totpPage(deps: PortalDeps, ctx: Context, enrolment: { enrolmentId: string; secret: string; uri: string }, error?: string, status = 200): Promise<void> {
  const svg = await QRCode.toString(enrolment.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  deps.render(ctx, 'portal/totp', {
    title: t('portal.totp.title'), error, enrolmentId: enrolment.enrolmentId,
    qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, manualKey: formatTotpSecret(enrolment.secret),
  }, status);
}

export const securitySection: PortalSection = { id: 'security', title: 'portal.nav.security', navOrder: 20, pages, api: securityApi };
