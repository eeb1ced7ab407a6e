// Two brands with apps for tests: Acme (acme-shop, acme-club; its own document "Acme customer terms") and
// Beta (beta-shop, beta-club; "Beta club rules"), made through the admin API as an operator would.
import { expect } from 'vitest';
import type { ClientInput } from '../../src/clients/input.ts';
import { createAdminApi } from './admin-api.ts';

type AdminCall = Awaited<ReturnType<typeof createAdminApi>>['call'];
import { createRelyingParty, type RelyingParty } from './relying-party.ts';
import type { TestServer } from './test-server.ts';

export const BRAND_APPS = { acme: ['acme-shop', 'acme-club'], beta: ['beta-shop', 'beta-club'] } as const;
export type BrandAppId = (typeof BRAND_APPS)[keyof typeof BRAND_APPS][number];

const version = [{ version: '1', material: true }];

/** The consent documents the two brands name (plus the default brand's required terms): for `startTestServer`'s `consent.documents`. */
export const BRAND_DOCUMENTS = [
  { id: 'terms', title: 'Terms of service', required: true, versions: version },
  { id: 'acme-terms', title: 'Acme customer terms', required: false, versions: version },
  { id: 'beta-terms', title: 'Beta club rules', required: false, versions: version },
];

const BRANDS = [
  { id: 'acme', name: 'Acme', accent: '#0b6e4f', documents: ['acme-terms'] },
  { id: 'beta', name: 'Beta', accent: '#8a1c7c', documents: ['beta-terms'] },
] as const;

/**
 * Creates the two brands (with `brandBody` added to each brand's PUT, e.g. purposes) and their apps (each a
 * confidential client; `appInput` adds to one app's registration, e.g. its scope or required fields). Returns
 * the apps and the admin API caller it used.
 */
export async function setUpTwoBrands(
  server: TestServer,
  options: { appInput?: (clientId: BrandAppId) => Partial<ClientInput>; brandBody?: (brandId: keyof typeof BRAND_APPS) => Record<string, unknown> } = {},
): Promise<{ apps: Record<BrandAppId, RelyingParty>; call: AdminCall }> {
  const { call } = await createAdminApi(server);
  const apps = {} as Record<BrandAppId, RelyingParty>;
  for (const brand of BRANDS) {
    const body = { name: brand.name, colours: { accent: brand.accent, text: '#111111', background: '#ffffff' }, documents: brand.documents, ...options.brandBody?.(brand.id) };
    const created = await call(`/brands/${brand.id}`, { method: 'PUT', body });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    for (const id of BRAND_APPS[brand.id]) {
      apps[id] = await createRelyingParty(server, { clientId: id, name: id, ...options.appInput?.(id) });
      expect((await call(`/brands/${brand.id}/clients/${id}`, { method: 'PUT' })).status).toBe(200);
    }
  }
  return { apps, call };
}
