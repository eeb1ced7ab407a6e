// Owns the dashboard page (/admin/dashboard): the numbers of ../dashboard.ts as pictures — sign-ins and sign-ups
// per day, lite → full upgrades per day, second-factor and passkey adoption, profile completeness per field, consents per purpose — each
// with its table for screen readers. `?days=` chooses the span (1–92, default 30).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { isAppError } from '../../errors/app-error.ts';
import { formatDay } from '../../i18n/format.ts';
import { t } from '../../i18n/translate.ts';
import { dashboardOf } from '../dashboard.ts';
import { dayCountOf } from '../sections/dashboard.ts';
import { dayChart, share } from './charts.ts';
import type { AdminPageDeps } from './types.ts';

type Render = (ctx: Context, view: string, data: { title: string; [key: string]: unknown }, status?: number) => void;

export function registerDashboardPage(pages: Router, deps: AdminPageDeps, render: Render): void {
  pages.get('/dashboard', async (ctx) => {
    let days: number;
    try {
      days = dayCountOf(ctx.query.days);
    } catch (error) {
      if (!isAppError(error)) throw error;
      return render(ctx, 'errors/error', { title: t('admin.dashboard.not_a_span'), message: error.message }, 400);
    }
    const d = await dashboardOf(deps.services, days);
    const { accounts } = d.adoption;
    // A bar's title names its day in the reader's language (the data keeps ISO days).
    const dayName = (day: string) => formatDay(new Date(day));
    const rows = (counts: ReadonlyMap<string, number>) => d.days.filter((day) => counts.get(day)).map((day) => ({ day, count: counts.get(day) }));
    render(ctx, 'admin/dashboard', {
      title: t('admin.dashboard.title'), days, from: d.days[0], to: d.days.at(-1),
      signIns: { ...dayChart(d.days, d.signIns, (day, count) => t('admin.dashboard.sign_ins.bar', { day: dayName(day), count })), rows: rows(d.signIns) },
      signUps: { ...dayChart(d.days, d.signUps, (day, count) => t('admin.dashboard.sign_ups.bar', { day: dayName(day), count })), rows: rows(d.signUps) },
      upgrades: { ...dayChart(d.days, d.upgrades, (day, count) => t('admin.dashboard.upgrades.bar', { day: dayName(day), count })), rows: rows(d.upgrades) },
      accounts,
      adoption: [
        { label: t('admin.dashboard.second_factor'), n: d.adoption.withSecondFactor, ...share(d.adoption.withSecondFactor, accounts) },
        { label: t('admin.dashboard.passkey'), n: d.adoption.withPasskey, ...share(d.adoption.withPasskey, accounts) },
        { label: t('admin.dashboard.lite'), n: d.adoption.lite, ...share(d.adoption.lite, accounts) },
      ],
      completeness: d.completeness.map((c) => ({ ...c, ...share(c.accounts, accounts) })),
      consent: d.consent.map((c) => ({ ...c, ...share(c.granted, c.granted + c.withdrawn) })),
    });
  });
}
