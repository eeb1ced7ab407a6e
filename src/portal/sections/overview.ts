// Owns the overview section: who is signed in (email, whether it is verified, account status).
import type { PortalSection } from '../types.ts';
import { accountToken, portalState } from '../types.ts';

const STATUS_TEXT: Record<string, string> = {
  lite: 'Email only: no password or passkey yet',
  active: 'Active',
  restricted: 'Processing restricted',
  disabled: 'Disabled',
};

export const overviewSection: PortalSection = {
  id: 'overview',
  title: 'Overview',
  navOrder: 10,
  pages(router, deps) {
    router.get('/', (ctx) => {
      const { account } = portalState(ctx);
      deps.render(ctx, 'portal/overview', {
        title: 'Your account', email: account.email, emailVerified: account.emailVerified,
        status: STATUS_TEXT[account.status] ?? account.status, createdAt: account.createdAt.toUTCString(),
      });
    });
  },
  api(router, deps) {
    router.get('/', async (ctx) => {
      const account = await deps.services.accounts.findAccountById(accountToken(ctx).accountId);
      if (!account) return;
      ctx.body = { id: account.id, email: account.email, email_verified: account.emailVerified, status: account.status, created_at: account.createdAt.toISOString() };
    });
  },
};
