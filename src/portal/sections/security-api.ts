// Owns the security section's Account API (/account/api/security): the JSON twins of its pages.
// Destructive calls need a sign-in from the last five minutes (401 reauthentication_required otherwise).
import type Router from '@koa/router';
import { z } from 'zod';
import { describeRemovalRefusal } from '../../authn/sign-in-methods.ts';
import { AppError } from '../../errors/app-error.ts';
import { jsonBody } from '../../http/json-body.ts';
import { accountToken, type PortalDeps } from '../types.ts';
import { enrolProofApi, requireApiProof } from './enrol-proof.ts';
import { describeTotpVerdict, notFound } from './shared.ts';

const refuse = (verdict: 'last_sign_in_method' | 'last_second_factor') => new AppError(verdict, describeRemovalRefusal(verdict), 409);

export function securityApi(router: Router, deps: PortalDeps): void {
  const security = deps.services.accountSecurity;
  const fresh = deps.requireFreshApiAuth();

  router.get('/', async (ctx) => {
    const view = await security.overview(accountToken(ctx).accountId);
    ctx.body = {
      passkeys: view.passkeys.map((p) => ({ id: p.id, name: p.name, synced: p.synced, created_at: p.createdAt.toISOString(), last_used_at: p.lastUsedAt?.toISOString() ?? null })),
      mfa_enabled: view.mfaEnabled,
      totp: { enrolled: view.totp, since: view.totpSince?.toISOString() ?? null },
      recovery_codes_left: view.recoveryCodesLeft,
      remembered_devices: view.devices.map((d) => ({ id: d.id, user_agent: d.userAgent, created_at: d.createdAt.toISOString(), last_used_at: d.lastUsedAt?.toISOString() ?? null, expires_at: d.expiresAt.toISOString() })),
    };
  });

  router.patch('/passkeys/:id', async (ctx) => {
    const { name } = jsonBody(ctx, z.object({ name: z.string().max(200) }));
    const result = await security.renamePasskey(accountToken(ctx).accountId, String(ctx.params.id), name);
    if (result === 'not_found') return notFound();
    if (result === 'invalid_name') throw new AppError('invalid_name', 'Give the passkey a name of 1 to 64 characters.', 400);
    ctx.body = { id: ctx.params.id, name: name.trim() };
  });

  router.delete('/passkeys/:id', fresh, async (ctx) => {
    const result = await security.removePasskey(accountToken(ctx).accountId, String(ctx.params.id));
    if (result === 'not_found') return notFound();
    if (result !== 'ok') throw refuse(result);
    ctx.status = 204;
  });

  router.put('/mfa', async (ctx) => {
    const { enabled } = jsonBody(ctx, z.object({ enabled: z.boolean() }));
    const apply = async () => {
      await security.setMfaEnabled(accountToken(ctx).accountId, enabled);
      ctx.body = { mfa_enabled: enabled };
    };
    return enabled ? apply() : fresh(ctx, apply);
  });

  enrolProofApi(router, deps, (ctx) => jsonBody(ctx, z.object({ code: z.string().trim().regex(/^\d{6}$/, 'schema.code.send') })).code);

  // A first second factor needs the mailed code first (403 email_proof_required): a password alone must not add one.
  router.post('/totp', async (ctx) => {
    await requireApiProof(deps, ctx);
    const enrolment = await security.startTotpEnrolment(accountToken(ctx).accountId);
    if (enrolment.status !== 'ok') throw new AppError('already_enrolled', 'An authenticator app is already set up. Remove it first to set up another.', 409);
    ctx.status = 201;
    ctx.body = { enrolment_id: enrolment.enrolmentId, secret: enrolment.secret, otpauth_uri: enrolment.uri };
  });

  router.post('/totp/confirm', async (ctx) => {
    const body = jsonBody(ctx, z.object({ enrolment_id: z.string().max(64), code: z.string().max(16) }));
    await requireApiProof(deps, ctx);
    const result = await security.confirmTotpEnrolment({ accountId: accountToken(ctx).accountId, enrolmentId: body.enrolment_id, code: body.code, address: ctx.ip });
    if (result.status === 'ok') {
      ctx.body = { enrolled: true, recovery_codes: result.recoveryCodes ?? null };
      return;
    }
    if (result.status === 'expired') throw new AppError('enrolment_expired', 'This setup has expired or is not yours. Start it again.', 400);
    if (result.status === 'already_enrolled') throw new AppError('already_enrolled', 'An authenticator app is already set up.', 409);
    throw new AppError(result.status === 'throttled' ? 'too_many_attempts' : 'invalid_code', describeTotpVerdict(result), result.status === 'throttled' ? 429 : 400);
  });

  router.delete('/totp', fresh, async (ctx) => {
    const result = await security.removeTotp(accountToken(ctx).accountId);
    if (result === 'not_found') return notFound();
    if (result !== 'ok') throw refuse(result);
    ctx.status = 204;
  });

  router.post('/recovery-codes', fresh, async (ctx) => {
    ctx.body = { recovery_codes: await security.regenerateRecoveryCodes(accountToken(ctx).accountId) };
  });

  router.delete('/remembered-devices/:id', async (ctx) => {
    if (!(await security.revokeRememberedDevice(accountToken(ctx).accountId, String(ctx.params.id)))) return notFound();
    ctx.status = 204;
  });
}
