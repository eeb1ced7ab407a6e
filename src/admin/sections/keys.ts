// Owns /admin/api/keys: the signing keys (use, algorithm, status and when a retired key leaves the JWKS),
// never a private part; rotating them (the same as `foyer keys rotate`) is audited as signing_keys.rotated.
import type { Services } from '../../compose.ts';
import type { SigningKeyInfo } from '../../oidc/signing-keys.ts';
import { filters, listSpec, pageOfList } from '../list-query.ts';
import { openApi, type AdminSection } from '../types.ts';

export const keyJson = (k: SigningKeyInfo) => ({
  kid: k.kid, alg: k.alg, use: k.use, status: k.status, created_at: k.createdAt.toISOString(),
  retired_at: k.retiredAt?.toISOString() ?? null, published_until: k.publishedUntil?.toISOString() ?? null,
});

/** Retires the active keys (kept published until their tokens expire), makes new ones, audits it, reloads the Provider. */
export async function rotateSigningKeys(services: Services, actor: string, onKeysChanged?: () => Promise<void>): Promise<{ retired: string[]; created: string[] }> {
  const { tokens } = services.config;
  const result = await services.signingKeys.rotate(Math.max(tokens.idTokenSeconds, tokens.accessTokenSeconds) + 300);
  await services.events.emit({ type: 'signing_keys.rotated', actor, data: result });
  await onKeysChanged?.();
  return result;
}

const STATUSES = ['active', 'retiring', 'retired'] as const;
const ALGORITHMS = ['ES256', 'RS256'] as const;

/** GET /keys: newest first. */
const keyList = listSpec({
  status: filters.oneOf(STATUSES, 'Only keys in this state'),
  alg: filters.oneOf(ALGORITHMS, 'Only keys of this algorithm'),
});

const key = {
  type: 'object',
  properties: {
    kid: { type: 'string' }, alg: { enum: [...ALGORITHMS] }, use: { const: 'sig' },
    status: { enum: [...STATUSES], description: 'retiring: no longer signs, still in the JWKS until published_until' },
    created_at: { type: 'string', format: 'date-time' }, retired_at: { type: ['string', 'null'], format: 'date-time' },
    published_until: { type: ['string', 'null'], format: 'date-time', description: 'When a retired key leaves the JWKS' },
  },
} as const;

export const keysSection: AdminSection = {
  id: 'keys',
  routes(router, { services, onProtocolChanged }) {
    router.get('/keys', async (ctx) => {
      const query = keyList.read(ctx);
      const found = (await services.signingKeys.listKeys()).filter((k) => (query.status === undefined || k.status === query.status) && (query.alg === undefined || k.alg === query.alg));
      const page = pageOfList(found, (k) => ({ key: k.createdAt.toISOString(), id: k.kid }), query, 'descending');
      ctx.body = { keys: page.items.map(keyJson), next_cursor: page.next_cursor };
    });
    router.post('/keys/rotate', async (ctx) => {
      const result = await rotateSigningKeys(services, String(ctx.state.adminActor), onProtocolChanged);
      services.log.info({ ...result, by: ctx.state.adminClientId }, 'admin API: signing keys rotated');
      ctx.body = result;
    });
  },
  openapi() {
    const { json, errors } = openApi;
    return {
      schemas: { SigningKey: key },
      paths: {
        '/keys': {
          get: {
            summary: 'The signing keys (metadata only), newest first, paged', parameters: keyList.parameters,
            responses: { 200: { description: 'A page of keys', ...json({ type: 'object', properties: { keys: { type: 'array', items: { $ref: '#/components/schemas/SigningKey' } }, next_cursor: openApi.nextCursor } }) }, ...errors },
          },
        },
        '/keys/rotate': {
          post: {
            summary: 'New ES256 and RS256 keys sign from now on; the previous ones stay published until their tokens have expired',
            responses: { 200: { description: 'The kids retired and created', ...json({ type: 'object', properties: { retired: { type: 'array', items: { type: 'string' } }, created: { type: 'array', items: { type: 'string' } } } }) }, ...errors },
          },
        },
      },
    };
  },
};
