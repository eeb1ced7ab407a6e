// Owns the sessions and devices section (/account/sessions, /account/api/sessions): the account's signed-in
// browsers (when, how, which apps; the browser where the account pages were opened from it), signing one
// or all others out, and the remembered devices that skip the second step.
import type { Context } from 'koa';
import type { AccountSession } from '../../oidc/sessions.ts';
import { accountToken, portalState, type PortalDeps, type PortalSection } from '../types.ts';
import { t } from '../../i18n/translate.ts';
import { describeUserAgent, formatTime, noticeOf, notFound, redirectDone } from './shared.ts';

const AMR_TEXT: Record<string, string> = { pwd: 'portal.amr.pwd', otp: 'portal.amr.otp', hwk: 'portal.amr.passkey', swk: 'portal.amr.passkey', fed: 'portal.amr.fed' };
const describeAmr = (amr: string[]) => [...new Set(amr.filter((m) => m !== 'user' && m !== 'mfa').map((m) => (AMR_TEXT[m] ? t(AMR_TEXT[m]) : m)))].join(' + ') || t('portal.common.unknown');

async function describeSessions(deps: PortalDeps, accountId: string, currentUid: string | undefined) {
  const [sessions, portal] = [await deps.services.protocol.listSessionsOfAccount(accountId), await deps.sessions.listPortalSessions(accountId)];
  const browserOf = (s: AccountSession) => portal.find((p) => p.oidcSessionUid === s.uid && p.userAgent)?.userAgent;
  const names = new Map<string, string>();
  for (const id of new Set(sessions.flatMap((s) => s.clientIds))) names.set(id, (await deps.services.clients.showClient(id))?.client_name ?? id);
  return sessions.map((s) => ({ ...s, current: s.uid === currentUid, userAgent: browserOf(s), apps: s.clientIds.map((id) => names.get(id) ?? id) }));
}

async function endOthers(deps: PortalDeps, accountId: string, keepUid: string | undefined, keepPortalId: string | undefined): Promise<number> {
  await deps.clientAccess.notifySessionLogout(accountId, { except: keepUid });
  const ended = await deps.services.protocol.endSessions(accountId, keepUid);
  await deps.sessions.endOtherPortalSessions(accountId, keepPortalId);
  await deps.services.events.emit({ type: 'session.ended_others', accountId, data: { count: ended } });
  return ended;
}

async function endOne(deps: PortalDeps, accountId: string, uid: string): Promise<boolean> {
  if (!/^[\w-]{10,64}$/.test(uid) || !(await deps.services.protocol.isSessionActive(accountId, uid))) return false;
  if (!(await deps.clientAccess.endSession(accountId, uid))) return false;
  await deps.sessions.endPortalSessionsOfOidcSession(accountId, uid);
  await deps.services.events.emit({ type: 'session.ended', accountId, data: { session: uid } });
  return true;
}

const DONE: Record<string, string> = {
  others: 'portal.sessions.done_others',
  one: 'portal.sessions.done_one',
  device: 'portal.sessions.done_device',
};

async function sessionsPage(deps: PortalDeps, ctx: Context): Promise<void> {
  const { account, session } = portalState(ctx);
  const sessions = await describeSessions(deps, account.id, session.oidcSessionUid ?? undefined);
  const devices = await deps.services.rememberedDevices.listRememberedDevices(account.id);
  deps.render(ctx, 'portal/sessions', {
    title: t('portal.sessions.title'),
    notice: noticeOf(DONE, ctx.query.done),
    sessions: sessions.map((s) => ({
      uid: s.uid, current: s.current, browser: s.current ? describeUserAgent(ctx.get('user-agent')) : (s.userAgent ? describeUserAgent(s.userAgent) : t('portal.sessions.browser_unknown')),
      signedInAt: s.signedInAt ? formatTime(s.signedInAt) : t('portal.common.unknown'), how: describeAmr(s.amr), apps: s.apps.join(', '), expiresAt: s.expiresAt ? formatTime(s.expiresAt) : undefined,
    })),
    others: sessions.some((s) => !s.current),
    devices: devices.map((d) => ({ id: d.id, browser: describeUserAgent(d.userAgent), createdAt: formatTime(d.createdAt), lastUsedAt: d.lastUsedAt ? formatTime(d.lastUsedAt) : t('portal.common.not_yet') })),
  });
}

export const sessionsSection: PortalSection = {
  id: 'sessions',
  title: 'portal.nav.sessions',
  navOrder: 50,
  pages(router, deps) {
    router.get('/', (ctx) => sessionsPage(deps, ctx));
    router.post('/others/end', async (ctx) => {
      deps.csrf.verifiedForm(ctx);
      const { account, session } = portalState(ctx);
      await endOthers(deps, account.id, session.oidcSessionUid ?? undefined, session.id);
      redirectDone(ctx, '/account/sessions', 'others');
    });
    router.post('/:uid/end', async (ctx) => {
      deps.csrf.verifiedForm(ctx);
      const { account, session } = portalState(ctx);
      // This browser's own session ends with "Sign out".
      if (ctx.params.uid === session.oidcSessionUid || !(await endOne(deps, account.id, String(ctx.params.uid)))) return notFound();
      redirectDone(ctx, '/account/sessions', 'one');
    });
    router.post('/devices/:id/revoke', async (ctx) => {
      deps.csrf.verifiedForm(ctx);
      if (!(await deps.services.accountSecurity.revokeRememberedDevice(portalState(ctx).account.id, String(ctx.params.id)))) return notFound();
      redirectDone(ctx, '/account/sessions', 'device');
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      const token = accountToken(ctx);
      const sessions = await describeSessions(deps, token.accountId, token.sessionUid);
      ctx.body = {
        sessions: sessions.map((s) => ({
          id: s.uid, current: s.current, signed_in_at: s.signedInAt?.toISOString() ?? null, amr: s.amr, acr: s.acr ?? null,
          apps: s.clientIds, user_agent: s.userAgent ?? null, expires_at: s.expiresAt?.toISOString() ?? null,
        })),
      };
    });
    router.post('/others/end', async (ctx) => {
      const token = accountToken(ctx);
      ctx.body = { ended: await endOthers(deps, token.accountId, token.sessionUid, undefined) };
    });
    router.delete('/:uid', async (ctx) => {
      if (!(await endOne(deps, accountToken(ctx).accountId, String(ctx.params.uid)))) return notFound();
      ctx.status = 204;
    });
  },
};
