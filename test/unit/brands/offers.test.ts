// Which purposes and topics a brand (or a client, through its brand) may offer: its own and the shared ones.
import { describe, expect, it } from 'vitest';
import { brandOffers, clientOffers, ownerOf } from '../../../src/brands/offers.ts';
import type { BrandView } from '../../../src/brands/view.ts';

const brand = (id: string, purposes: string[] = [], topics: string[] = []) => ({ id, purposes, topics }) as unknown as BrandView;
const brands = new Map([['default', brand('default')], ['acme', brand('acme', ['acme-offers'], ['acme-letter'])], ['beta', brand('beta', ['beta-offers'])]]);
const clientBrand = new Map([['acme-shop', 'acme']]);
const snapshot = { brands, brandOfClient: (clientId: string | undefined) => brands.get((clientId && clientBrand.get(clientId)) || 'default') };

describe('brand offers', () => {
  it('a purpose or topic belongs to the brand that lists it, else to none (shared)', () => {
    expect(ownerOf(brands.values(), 'purposes', 'beta-offers')?.id).toBe('beta');
    expect(ownerOf(brands.values(), 'topics', 'acme-letter')?.id).toBe('acme');
    expect(ownerOf(brands.values(), 'purposes', 'newsletter')).toBeUndefined();
    // Purposes and topics are apart: a topic id listed as a purpose elsewhere says nothing of the topic.
    expect(ownerOf(brands.values(), 'topics', 'acme-offers')).toBeUndefined();
  });

  it('a brand offers its own and the shared ones, never another brand\'s', () => {
    expect(brandOffers(brands.values(), { id: 'acme' }, 'purposes', 'acme-offers')).toBe(true);
    expect(brandOffers(brands.values(), { id: 'acme' }, 'purposes', 'newsletter')).toBe(true);
    expect(brandOffers(brands.values(), { id: 'acme' }, 'purposes', 'beta-offers')).toBe(false);
    expect(brandOffers(brands.values(), { id: 'beta' }, 'topics', 'acme-letter')).toBe(false);
  });

  it('a client offers what its brand does; a client in no brand only the shared ones', () => {
    expect(clientOffers(snapshot, 'acme-shop', 'purposes', 'acme-offers')).toBe(true);
    expect(clientOffers(snapshot, 'acme-shop', 'purposes', 'beta-offers')).toBe(false);
    expect(clientOffers(snapshot, 'other', 'purposes', 'newsletter')).toBe(true);
    expect(clientOffers(snapshot, 'other', 'purposes', 'acme-offers')).toBe(false);
    expect(clientOffers({ brands: new Map(), brandOfClient: () => undefined }, 'x', 'topics', 'news')).toBe(true);
  });
});
