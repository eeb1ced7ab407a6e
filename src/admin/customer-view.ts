// Owns what operators see of one customer (the admin API's GET /customers/:id and the customer page): the
// account, its addresses, profile values with provenance, sign-in methods (metadata only: never a hash, seed
// or code), linked upstream accounts, sessions and apps, consents and recent audit events.
import type { Services } from '../compose.ts';
import type { ClientAccessPort } from '../oidc/client-access.ts';
import { ADMIN_CLIENT_ID, PORTAL_CLIENT_ID } from '../clients/own-pages.ts';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const RECENT_EVENTS = 25;

export async function describeCustomer(services: Services, clientAccess: ClientAccessPort, accountId: string) {
  const account = await services.accounts.findAccountById(accountId);
  if (!account || account.status === 'erased') return undefined;
  const [times, emails, profile, security, links, sessions, grants, clientConsents, purposes, events] = [
    await services.customerDirectory.findAccountTimes(accountId), await services.customerDirectory.listEmails(accountId),
    await services.profileValues.listValues(accountId), await services.accountSecurity.overview(accountId), await services.federatedIdentities.listForAccount(accountId),
    await services.protocol.listSessionsOfAccount(accountId), await clientAccess.listGrantedClients(accountId),
    await services.consentWithdrawal.listClientConsents(accountId), await services.purposes.purposeStates(accountId), await services.events.listEventsOfAccount(accountId, RECENT_EVENTS),
  ];
  // The release rule's verdict per field: an operator sees which values leave Foyer now, and why not.
  const verdicts = await services.fieldRelease.verdicts(accountId);
  const apps = new Map<string, { client_id: string; scopes: Set<string>; since: Date | undefined; live_grant: boolean }>();
  for (const c of clientConsents) apps.set(c.clientId, { client_id: c.clientId, scopes: new Set(c.grantedScopes), since: c.createdAt, live_grant: false });
  for (const g of grants) {
    const app = apps.get(g.clientId) ?? { client_id: g.clientId, scopes: new Set<string>(), since: g.grantedAt, live_grant: false };
    for (const s of g.scopes) app.scopes.add(s);
    app.live_grant = true;
    apps.set(g.clientId, app);
  }
  apps.delete(PORTAL_CLIENT_ID);
  apps.delete(ADMIN_CLIENT_ID);
  return {
    id: account.id,
    email: account.email,
    email_verified: account.emailVerified,
    status: account.status,
    processing_restricted: Boolean(account.processingRestricted),
    erase_after: iso(account.eraseAfter),
    created_at: account.createdAt.toISOString(),
    last_sign_in_at: iso(times?.lastSignInAt),
    disabled_at: iso(times?.disabledAt),
    emails: emails.map((e) => ({ email: e.email, primary: e.primary, verified: e.verifiedAt !== null, verified_at: iso(e.verifiedAt), added_at: e.createdAt.toISOString() })),
    profile: profile.map((v) => {
      const verdict = verdicts.get(v.field);
      return {
        field: v.field, value: v.value, source: v.source, client_id: v.clientId, updated_at: v.updatedAt.toISOString(),
        purpose: verdict?.purpose ?? null, legal_basis: verdict?.basis ?? null, released: verdict?.released ?? false, reason: verdict?.reason ?? 'unknown_purpose',
      };
    }),
    sign_in_methods: {
      password: { set: Boolean(account.passwordHash), changed_at: iso(times?.passwordChangedAt) },
      passkeys: security.passkeys.map((p) => ({ id: p.id, name: p.name, synced: p.synced, created_at: iso(p.createdAt), last_used_at: iso(p.lastUsedAt) })),
      authenticator_app: { enrolled: security.totp, since: iso(security.totpSince) },
      recovery_codes_left: security.recoveryCodesLeft,
      second_factor_always: security.mfaEnabled,
      remembered_devices: security.devices.length,
    },
    linked_accounts: links.map((l) => ({ connector: l.connector, subject: l.subject, email: l.email, linked_at: l.createdAt.toISOString(), last_used_at: l.lastUsedAt.toISOString() })),
    sessions: sessions.map((s) => ({ uid: s.uid, signed_in_at: iso(s.signedInAt), amr: s.amr, acr: s.acr ?? null, apps: s.clientIds, expires_at: iso(s.expiresAt) })),
    apps: [...apps.values()].map((a) => ({ client_id: a.client_id, scopes: [...a.scopes], since: iso(a.since), live_grant: a.live_grant })),
    consents: purposes.map((p) => ({ purpose: p.purpose.id, legal_basis: p.purpose.legalBasis, allowed: p.decision.allowed, reason: p.decision.reason, changed_at: iso(p.changedAt) })),
    recent_events: events.map((e) => ({ id: e.id, type: e.type, actor: e.actor, client_id: e.clientId, created_at: e.createdAt.toISOString() })),
  };
}

export type CustomerView = NonNullable<Awaited<ReturnType<typeof describeCustomer>>>;
