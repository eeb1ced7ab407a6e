// Owns the operators' dashboard numbers (admin API /dashboard and the /admin/dashboard page): sign-ins and
// sign-ups per day, lite → full upgrades per day (account.upgraded events), second-factor and passkey adoption, lite accounts, profile completeness per field, and
// consents given and withdrawn per purpose — each read from the domain that owns it.
import type { Services } from '../compose.ts';
import { pickLocale } from '../profile/schema.ts';

const DAY_MS = 86_400_000;

export interface Dashboard {
  from: string;
  days: string[];
  signIns: Map<string, number>;
  signUps: Map<string, number>;
  /** Lite accounts that became full ones (sign-up completed, or a code proved the address), per day. */
  upgrades: Map<string, number>;
  adoption: { accounts: number; withSecondFactor: number; withPasskey: number; lite: number };
  completeness: { field: string; label: string; accounts: number }[];
  consent: { purpose: string; name: string; granted: number; withdrawn: number }[];
}

export async function dashboardOf(services: Services, dayCount: number, now = new Date()): Promise<Dashboard> {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = new Date(today - (dayCount - 1) * DAY_MS);
  const days = Array.from({ length: dayCount }, (_, i) => new Date(from.getTime() + i * DAY_MS).toISOString().slice(0, 10));
  await services.profile.reloadIfChanged();
  const [signIns, signUps, adoption, perField, stats, purposes] = await Promise.all([
    services.events.countPerDay(['account.signed_in', 'account.upgraded'], from), services.customerDirectory.signUpsPerDay(from), services.customerDirectory.adoption(),
    services.profileValues.countAccountsPerField(), services.consentVault.stats({ kind: 'purpose', from }), services.consentRegistry.listPurposes(),
  ]);
  const consent = purposes.map((p) => {
    const of = stats.filter((s) => s.subject === p.id);
    const sum = (action: string) => of.filter((s) => s.action === action).reduce((n, s) => n + s.count, 0);
    return { purpose: p.id, name: services.consentRegistry.text(p.texts).name, granted: sum('grant'), withdrawn: sum('withdraw') };
  });
  return {
    from: from.toISOString(), days,
    signIns: new Map(signIns.filter((r) => r.type === 'account.signed_in').map((r) => [r.day, r.count])),
    upgrades: new Map(signIns.filter((r) => r.type === 'account.upgraded').map((r) => [r.day, r.count])),
    signUps: new Map(signUps.map((r) => [r.day, r.count])),
    adoption,
    completeness: services.profile.current().fields.map((f) => ({ field: f.key, label: pickLocale(f.label, ['en']) ?? f.key, accounts: perField.get(f.key) ?? 0 })),
    consent,
  };
}

/** The dashboard as the admin API answers it. */
export function dashboardJson(d: Dashboard) {
  return {
    from: d.from,
    sign_ins: d.days.map((day) => ({ day, count: d.signIns.get(day) ?? 0 })),
    sign_ups: d.days.map((day) => ({ day, count: d.signUps.get(day) ?? 0 })),
    upgrades: d.days.map((day) => ({ day, count: d.upgrades.get(day) ?? 0 })),
    accounts: d.adoption.accounts, with_second_factor: d.adoption.withSecondFactor, with_passkey: d.adoption.withPasskey, lite: d.adoption.lite,
    completeness: d.completeness,
    consent: d.consent,
  };
}
