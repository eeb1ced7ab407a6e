// What a downstream system may receive: a field while its purpose's decision allows it, the email while a
// purpose covering email does, only essential (contract, legal obligation) fields while restricted, nothing once erased.
import { describe, expect, it } from 'vitest';
import { createDownstreamRelease, type DownstreamReleaseSources } from '../../../src/privacy/downstream-release.ts';

const purposes = [
  { id: 'account', legalBasis: 'contract', dataCategories: ['email'] },
  { id: 'marketing', legalBasis: 'consent', dataCategories: ['email', 'name'] },
  { id: 'analytics', legalBasis: 'legitimate_interest', dataCategories: ['usage'] },
];

function release(allowed: Record<string, boolean>, account: Partial<Awaited<ReturnType<DownstreamReleaseSources['findAccount']>>> = {}) {
  return createDownstreamRelease({
    profileFields: () => [{ key: 'given_name', purpose: 'marketing' }, { key: 'customer_number', purpose: 'account' }, { key: 'segment', purpose: 'analytics' }],
    purposeStates: async () => purposes.map((purpose) => ({ purpose, decision: { allowed: allowed[purpose.id] ?? false } })),
    findAccount: async () => ({ email: 'a@example.com', emailVerified: true, restricted: false, erased: false, profile: { given_name: 'Ada', customer_number: 'C-1' }, ...account }),
  });
}

const ALL = ['email', 'given_name', 'customer_number', 'segment', 'unknown_field'];

describe('downstream release', () => {
  it('releases fields whose purpose allows processing, null for a missing value, and lists the rest as withheld', async () => {
    expect(await release({ account: true, marketing: false, analytics: true }).release('id', ALL)).toEqual({
      values: { email: 'a@example.com', email_verified: true, customer_number: 'C-1', segment: null },
      withheld: ['given_name', 'unknown_field'],
    });
  });

  it('releases the email while any allowed purpose covers email', async () => {
    expect((await release({ account: false, marketing: true }).release('id', ['email'])).values).toEqual({ email: 'a@example.com', email_verified: true });
    expect((await release({ account: false, marketing: false }).release('id', ['email'])).withheld).toEqual(['email']);
  });

  it('releases only fields of contract or legal-obligation purposes while processing is restricted', async () => {
    const restricted = release({ account: true, marketing: true, analytics: true }, { restricted: true });
    expect(await restricted.release('id', ALL)).toEqual({
      values: { email: 'a@example.com', email_verified: true, customer_number: 'C-1' }, withheld: ['given_name', 'segment', 'unknown_field'],
    });
    expect([...await restricted.receivedFields('id', ALL)]).toEqual(['email', 'customer_number']);
  });

  it('releases nothing about an erased or missing account', async () => {
    expect(await release({ account: true }, { erased: true }).release('id', ['email'])).toEqual({ values: {}, withheld: ['email'] });
    const gone = createDownstreamRelease({ profileFields: () => [], purposeStates: async () => [], findAccount: async () => undefined });
    expect([...await gone.receivedFields('id', ['email'])]).toEqual([]);
  });
});
