// Owns turning the vault's counts per day into bar charts the page draws as SVG: one chart per purpose or
// document version, grants above the line and withdrawals below, one bar per day, with each bar's count
// in its title and the same numbers in a table for screen readers. A bar's title is in the reader's language.
import type { VaultStat } from '../../consent/vault.ts';
import { formatDay } from '../../i18n/format.ts';
import { t } from '../../i18n/translate.ts';

const DAY_MS = 86_400_000;
const WIDTH = 600;
const HALF = 60;
const MAX_DAYS = 92;

export interface VaultChart {
  subject: string;
  kind: string;
  width: number;
  height: number;
  baseline: number;
  bars: { x: number; width: number; y: number; height: number; kind: 'grant' | 'withdraw'; title: string }[];
  rows: { day: string; grants: number; withdrawals: number }[];
  total: { grants: number; withdrawals: number };
}

const dayOf = (date: Date) => date.toISOString().slice(0, 10);

export function vaultCharts(stats: VaultStat[], from: Date, to: Date): VaultChart[] {
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const days = Math.min(MAX_DAYS, Math.max(1, Math.ceil((to.getTime() - start) / DAY_MS)));
  const dayList = Array.from({ length: days }, (_, i) => dayOf(new Date(start + i * DAY_MS)));
  const bySubject = new Map<string, { kind: string; counts: Map<string, { grants: number; withdrawals: number }> }>();
  for (const stat of stats) {
    if (stat.kind !== 'purpose' && stat.kind !== 'document') continue;
    const entry = bySubject.get(stat.subject) ?? { kind: stat.kind, counts: new Map() };
    const day = entry.counts.get(stat.day) ?? { grants: 0, withdrawals: 0 };
    if (stat.action === 'grant') day.grants += stat.count;
    else day.withdrawals += stat.count;
    entry.counts.set(stat.day, day);
    bySubject.set(stat.subject, entry);
  }
  return [...bySubject].map(([subject, { kind, counts }]) => {
    const rows = dayList.map((day) => ({ day, grants: counts.get(day)?.grants ?? 0, withdrawals: counts.get(day)?.withdrawals ?? 0 }));
    const peak = Math.max(1, ...rows.map((r) => Math.max(r.grants, r.withdrawals)));
    const slot = WIDTH / days;
    const barWidth = Math.max(1, slot * 0.7);
    const bars = rows.flatMap((r, i) => {
      const x = Number((i * slot + (slot - barWidth) / 2).toFixed(1));
      const day = formatDay(new Date(r.day));
      const up = Number(((r.grants / peak) * HALF).toFixed(1));
      const down = Number(((r.withdrawals / peak) * HALF).toFixed(1));
      return [
        ...(r.grants ? [{ x, width: Number(barWidth.toFixed(1)), y: HALF - up, height: up, kind: 'grant' as const, title: t('admin_privacy.vault.chart.given_bar', { day, count: r.grants }) }] : []),
        ...(r.withdrawals ? [{ x, width: Number(barWidth.toFixed(1)), y: HALF, height: down, kind: 'withdraw' as const, title: t('admin_privacy.vault.chart.withdrawn_bar', { day, count: r.withdrawals }) }] : []),
      ];
    });
    const total = rows.reduce((t, r) => ({ grants: t.grants + r.grants, withdrawals: t.withdrawals + r.withdrawals }), { grants: 0, withdrawals: 0 });
    return { subject, kind, width: WIDTH, height: HALF * 2, baseline: HALF, bars, rows: rows.filter((r) => r.grants || r.withdrawals), total };
  });
}
