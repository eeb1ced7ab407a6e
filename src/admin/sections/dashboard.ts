// Owns /admin/api/dashboard: the numbers behind the operators' dashboard (see ../dashboard.ts), per UTC day.
import { AppError } from '../../errors/app-error.ts';
import { dashboardJson, dashboardOf } from '../dashboard.ts';
import { openApi, type AdminSection } from '../types.ts';

export function dayCountOf(value: unknown): number {
  if (value === undefined || value === '') return 30;
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 92) throw new AppError('dashboard.invalid_query', 'days: a whole number from 1 to 92', 400);
  return days;
}

export const dashboardSection: AdminSection = {
  id: 'dashboard',
  routes(router, { services }) {
    router.get('/dashboard', async (ctx) => {
      ctx.body = dashboardJson(await dashboardOf(services, dayCountOf(ctx.query.days)));
    });
  },
  openapi() {
    const { json, errors } = openApi;
    const perDay = { type: 'array', items: { type: 'object', properties: { day: { type: 'string' }, count: { type: 'integer' } } } };
    return {
      paths: {
        '/dashboard': {
          get: {
            summary: 'Sign-ins, sign-ups and lite → full upgrades per UTC day, second-factor and passkey adoption, lite accounts, profile completeness per field, consents given and withdrawn per purpose',
            parameters: [{ name: 'days', in: 'query', required: false, description: 'Days back, today included (1–92, default 30)', schema: { type: 'integer' } }],
            responses: {
              200: {
                description: 'The numbers',
                ...json({
                  type: 'object',
                  properties: {
                    from: { type: 'string', format: 'date-time' }, sign_ins: perDay, sign_ups: perDay, upgrades: { ...perDay, description: 'Lite accounts that became full ones (account.upgraded), per day' }, accounts: { type: 'integer' }, with_second_factor: { type: 'integer' },
                    with_passkey: { type: 'integer' }, lite: { type: 'integer' },
                    completeness: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, label: { type: 'string' }, accounts: { type: 'integer' } } } },
                    consent: { type: 'array', items: { type: 'object', properties: { purpose: { type: 'string' }, name: { type: 'string' }, granted: { type: 'integer' }, withdrawn: { type: 'integer' } } } },
                  },
                }),
              },
              ...errors,
            },
          },
        },
      },
    };
  },
};
