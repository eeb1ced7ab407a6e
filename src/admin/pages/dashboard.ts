// Owns the dashboard page (/admin/dashboard): the numbers of ../dashboard.ts as pictures — sign-ins and sign-ups
// per day, lite → full upgrades per day, second-factor and passkey adoption, profile completeness per field, consents per purpose — each
// with its table for screen readers. `?days=` chooses the span (1–92, default 30).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { isAppError } from '../../errors/app-error.ts';
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
      return render(ctx, 'errors/error', { title: 'Not a span', message: error.message }, 400);
    }
    const d = await dashboardOf(deps.services, days);
    const { accounts } = d.adoption;
    const rows = (counts: ReadonlyMap<string, number>) => d.days.filter((day) => counts.get(day)).map((day) => ({ day, count: counts.get(day) }));
    render(ctx, 'admin/dashboard', {
      title: 'Dashboard', days, from: d.days[0], to: d.days.at(-1),
      signIns: { ...dayChart(d.days, d.signIns, { one: 'sign-in', many: 'sign-ins' }), rows: rows(d.signIns) },
      signUps: { ...dayChart(d.days, d.signUps, { one: 'sign-up', many: 'sign-ups' }), rows: rows(d.signUps) },
      upgrades: { ...dayChart(d.days, d.upgrades, { one: 'upgrade', many: 'upgrades' }), rows: rows(d.upgrades) },
      accounts,
      adoption: [
        { label: 'Two-step verification (authenticator app or passkey)', n: d.adoption.withSecondFactor, ...share(d.adoption.withSecondFactor, accounts) },
        { label: 'Passkey', n: d.adoption.withPasskey, ...share(d.adoption.withPasskey, accounts) },
        { label: 'Lite (no password or sign-in method yet)', n: d.adoption.lite, ...share(d.adoption.lite, accounts) },
      ],
      completeness: d.completeness.map((c) => ({ ...c, ...share(c.accounts, accounts) })),
      consent: d.consent.map((c) => ({ ...c, ...share(c.granted, c.granted + c.withdrawn) })),
    });
  });
}
