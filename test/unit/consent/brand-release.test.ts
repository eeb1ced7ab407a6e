// The release rule across brands: the default brand and the account's home brand get every field; another
// brand only the fields shared with it or first given through its own apps.
import { describe, expect, it } from 'vitest';
import { brandFieldFilter } from '../../../src/consent/brand-release.ts';

const base = { shared: [] as string[], firstGivenTo: new Map<string, string>() };

describe('brandFieldFilter', () => {
  it('leaves the default brand, the home brand and accounts without a home unrestricted', () => {
    expect(brandFieldFilter({ ...base, brandId: 'default', homeBrandId: 'acme' })).toBeUndefined();
    expect(brandFieldFilter({ ...base, brandId: 'acme', homeBrandId: 'acme' })).toBeUndefined();
    expect(brandFieldFilter({ ...base, brandId: 'beta', homeBrandId: undefined })).toBeUndefined();
  });

  it('gives another brand only what was shared with it or first given through its apps', () => {
    const allowed = brandFieldFilter({ brandId: 'beta', homeBrandId: 'acme', shared: ['given_name'], firstGivenTo: new Map([['phone', 'beta'], ['nickname', 'acme']]) })!;
    expect(['given_name', 'family_name', 'phone', 'nickname'].filter(allowed)).toEqual(['given_name', 'phone']);
  });

  it('gives a brand nothing when the customer shared nothing', () => {
    const allowed = brandFieldFilter({ ...base, brandId: 'beta', homeBrandId: 'default' })!;
    expect(allowed('given_name')).toBe(false);
  });
});
