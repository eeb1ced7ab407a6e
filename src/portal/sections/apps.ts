// Owns the connected apps section (/account/apps, /account/api/apps): every app the customer granted
// (consent on record or a live grant), what each receives, and "Remove access", which ends the app's
// access at once (tokens, back-channel logout), withdraws the consent in the ledger and emits an event.
import type { Context } from 'koa';
import { SCOPE_CLAIMS, SCOPE_DESCRIPTIONS } from '../../consent/scope-claims.ts';
import { ADMIN_CLIENT_ID, PORTAL_CLIENT_ID } from '../../clients/own-pages.ts';
import { accountToken, portalState, type PortalDeps, type PortalSection } from '../types.ts';
import { t } from '../../i18n/translate.ts';
import { formatTime, notFound, redirectDone } from './shared.ts';
import { describeScope } from './words.ts';

interface ConnectedApp {
  clientId: string;
  name: string;
  firstParty: boolean;
  scopes: string[];
  resources: Record<string, string[]>;
  since: Date | undefined;
}

const claimsOf = (scope: string) => [...((SCOPE_CLAIMS as Record<string, readonly string[]>)[scope] ?? [])];

export async function listConnectedApps(deps: PortalDeps, accountId: string): Promise<ConnectedApp[]> {
  const [consents, grants] = [await deps.services.consentWithdrawal.listClientConsents(accountId), await deps.clientAccess.listGrantedClients(accountId)];
  const apps = new Map<string, ConnectedApp>();
  for (const consent of consents) {
    apps.set(consent.clientId, { clientId: consent.clientId, name: consent.clientId, firstParty: false, scopes: consent.grantedScopes, resources: consent.resourceScopes, since: consent.createdAt });
  }
  for (const grant of grants) {
    const known = apps.get(grant.clientId);
    if (known) known.scopes = [...new Set([...known.scopes, ...grant.scopes])];
    else apps.set(grant.clientId, { clientId: grant.clientId, name: grant.clientId, firstParty: false, scopes: grant.scopes, resources: {}, since: grant.grantedAt });
  }
  // Foyer's own pages (the account pages, the admin pages) are not apps the customer connected.
  apps.delete(PORTAL_CLIENT_ID);
  apps.delete(ADMIN_CLIENT_ID);
  for (const app of apps.values()) {
    const client = await deps.services.clients.showClient(app.clientId);
    if (client) Object.assign(app, { name: client.client_name, firstParty: client.first_party });
  }
  return [...apps.values()];
}

/** Removes the app's access for the account; false when it had none (or is not an app of the account). */
async function removeAccess(deps: PortalDeps, accountId: string, clientId: string, ip: string): Promise<boolean> {
  const app = (await listConnectedApps(deps, accountId)).find((a) => a.clientId === clientId);
  if (!app) return false;
  await deps.clientAccess.revokeClientAccess(accountId, clientId);
  await deps.services.consentWithdrawal.withdrawClientConsent(accountId, clientId, app.scopes, { channel: 'account', ip });
  return true;
}

const present = (app: ConnectedApp) => ({
  client_id: app.clientId,
  name: app.name,
  first_party: app.firstParty,
  scopes: app.scopes.map((scope) => ({ scope, description: SCOPE_DESCRIPTIONS[scope] ?? scope, claims: claimsOf(scope) })),
  resources: Object.entries(app.resources).map(([resource, scopes]) => ({ resource, scopes })),
  since: app.since?.toISOString() ?? null,
});

async function appsPage(deps: PortalDeps, ctx: Context): Promise<void> {
  const apps = await listConnectedApps(deps, portalState(ctx).account.id);
  deps.render(ctx, 'portal/apps', {
    title: t('portal.apps.title'),
    notice: ctx.query.done === 'removed' ? t('portal.apps.done_removed') : undefined,
    apps: apps.map((app) => ({ ...present(app), path: encodeURIComponent(app.clientId), since: app.since ? formatTime(app.since) : undefined, scopes: present(app).scopes.map((s) => ({ ...s, description: describeScope(s.scope), claims: s.claims.join(', ') })) })),
  });
}

export const appsSection: PortalSection = {
  id: 'apps',
  title: 'portal.nav.apps',
  navOrder: 40,
  pages(router, deps) {
    router.get('/', (ctx) => appsPage(deps, ctx));
    router.post('/:clientId/remove', async (ctx) => {
      deps.csrf.verifiedForm(ctx);
      if (!(await removeAccess(deps, portalState(ctx).account.id, String(ctx.params.clientId), ctx.ip))) return notFound();
      redirectDone(ctx, '/account/apps', 'removed');
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      ctx.body = { apps: (await listConnectedApps(deps, accountToken(ctx).accountId)).map(present) };
    });
    router.delete('/:clientId', async (ctx) => {
      if (!(await removeAccess(deps, accountToken(ctx).accountId, String(ctx.params.clientId), ctx.ip))) return notFound();
      ctx.status = 204;
    });
  },
};
