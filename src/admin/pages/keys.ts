// Owns the signing keys page under /admin/keys: each key's use, algorithm, status and when a retired one leaves
// the JWKS; rotating them behind a confirmation (the same operation as the admin API's POST /keys/rotate).
import type Router from '@koa/router';
import { keyJson, rotateSigningKeys } from '../sections/keys.ts';
import { auditPageChange, confirmed, type PageTools } from './forms.ts';
import { pageActor } from './roles.ts';

const STATUS_TEXT = { active: 'signs', retiring: 'retired, still published', retired: 'retired' } as const;
const shortTime = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

export function registerKeyPages(pages: Router, tools: PageTools): void {
  const { deps, render, done, notice } = tools;
  const { services } = deps;
  pages.get('/keys', async (ctx) => {
    const keys = (await services.signingKeys.listKeys()).map(keyJson).filter((k) => k.status !== 'retired');
    render(ctx, 'admin/keys', {
      title: 'Signing keys', notice: notice(ctx),
      keys: keys.map((k) => ({ ...k, statusText: STATUS_TEXT[k.status], created: shortTime(k.created_at), until: k.status === 'active' ? 'until the next rotation' : shortTime(k.published_until) })),
    });
  });
  pages.post('/keys/rotate', async (ctx) => {
    const form = deps.csrf.verifiedForm(ctx);
    if (!confirmed(tools, ctx, form, {
      title: 'Rotate the signing keys?', action: '/admin/keys/rotate', button: 'Yes, rotate the keys', cancel: '/admin/keys',
      consequence: 'New ES256 and RS256 keys sign every token from now on; the current keys stay published until the tokens they signed have expired, so apps keep verifying them.',
    })) return;
    const result = await rotateSigningKeys(services, pageActor(ctx), deps.onProtocolChanged);
    await auditPageChange(deps, ctx, '/admin/keys/rotate', { created: result.created.join(' ') });
    done(ctx, '/admin/keys', `Rotated: new keys ${result.created.join(', ')}.`);
  });
}
