// The release rule, every legal basis × state, the state read from the ledger, and the rule applied to an
// account's fields: claims for an app, a webhook's values and withheld list, and the reasons the pages show.
import { describe, expect, it } from 'vitest';
import type { LegalBasis } from '../../../src/config/consent-schema.ts';
import { createFieldRelease, fieldVerdicts, releasedClaims, type ReleasableAccount } from '../../../src/consent/field-release.ts';
import type { PurposeStanding } from '../../../src/consent/purposes.ts';
import { decideRelease, purposeStateOf, type PurposeState } from '../../../src/consent/release-rule.ts';

const STATES: PurposeState[] = ['given', 'withdrawn', 'objected', 'never_asked', 'restricted'];

// The release table (README "Purposes and what leaves Foyer"): basis → state → [released, reason].
const TABLE: Record<LegalBasis, Record<PurposeState, [boolean, string]>> = {
  contract: { given: [true, 'legal_basis'], withdrawn: [true, 'legal_basis'], objected: [true, 'legal_basis'], never_asked: [true, 'legal_basis'], restricted: [true, 'legal_basis'] },
  legal_obligation: { given: [true, 'legal_basis'], withdrawn: [true, 'legal_basis'], objected: [true, 'legal_basis'], never_asked: [true, 'legal_basis'], restricted: [true, 'legal_basis'] },
  vital_interest: { given: [true, 'legal_basis'], withdrawn: [true, 'legal_basis'], objected: [true, 'legal_basis'], never_asked: [true, 'legal_basis'], restricted: [true, 'legal_basis'] },
  public_interest: { given: [true, 'legal_basis'], withdrawn: [true, 'legal_basis'], objected: [false, 'objected'], never_asked: [true, 'legal_basis'], restricted: [false, 'restricted'] },
  legitimate_interest: { given: [true, 'legal_basis'], withdrawn: [true, 'legal_basis'], objected: [false, 'objected'], never_asked: [true, 'legal_basis'], restricted: [false, 'restricted'] },
  consent: { given: [true, 'consented'], withdrawn: [false, 'consent_withdrawn'], objected: [false, 'objected'], never_asked: [false, 'no_consent'], restricted: [false, 'restricted'] },
};

describe('decideRelease', () => {
  for (const [basis, row] of Object.entries(TABLE) as [LegalBasis, Record<PurposeState, [boolean, string]>][]) {
    for (const state of STATES) {
      const [released, reason] = row[state];
      it(`${basis} × ${state} → ${released ? 'released' : 'withheld'} (${reason})`, () => {
        expect(decideRelease({ basis, state })).toEqual({ released, reason });
      });
    }
  }

  it('never releases data of an unknown purpose', () => {
    for (const state of STATES) expect(decideRelease({ basis: undefined, state })).toEqual({ released: false, reason: 'unknown_purpose' });
  });
});

describe('purposeStateOf', () => {
  it('reads the newest ledger action by basis, restriction first', () => {
    expect(purposeStateOf('consent', undefined, false)).toBe('never_asked');
    expect(purposeStateOf('consent', { action: 'grant' }, false)).toBe('given');
    expect(purposeStateOf('consent', { action: 'withdraw' }, false)).toBe('withdrawn');
    expect(purposeStateOf('legitimate_interest', { action: 'withdraw' }, false)).toBe('objected');
    expect(purposeStateOf('public_interest', { action: 'grant' }, false)).toBe('given');
    expect(purposeStateOf('consent', { action: 'grant' }, true)).toBe('restricted');
  });
});

const purposes = [
  { id: 'account', legalBasis: 'contract', dataCategories: ['email'] },
  { id: 'marketing', legalBasis: 'consent', dataCategories: ['email', 'name'] },
  { id: 'analytics', legalBasis: 'legitimate_interest', dataCategories: ['usage'] },
] as const;

function standings(states: Partial<Record<string, PurposeState>>): PurposeStanding[] {
  return purposes.map((p) => {
    const state = states[p.id] ?? 'never_asked';
    const { released, reason } = decideRelease({ basis: p.legalBasis, state });
    return { purpose: { ...p, dataCategories: [...p.dataCategories], texts: {}, thirdPartyDisclosure: false, needsConsent: p.legalBasis === 'consent', objectable: p.legalBasis === 'legitimate_interest' }, state, choice: 'never_asked', decision: { allowed: released, reason }, changedAt: undefined };
  });
}

const FIELDS = [
  { key: 'given_name', claimName: 'given_name', purpose: 'marketing' },
  { key: 'family_name', claimName: 'family_name', purpose: 'account' },
  { key: 'customer_number', claimName: 'https://shop.example/customer_number', purpose: 'account' },
  { key: 'segment', claimName: 'https://shop.example/segment', purpose: 'analytics' },
  { key: 'orphan', claimName: 'orphan', purpose: 'no-such-purpose' },
];
const ada: ReleasableAccount = { id: 'sub-1', email: 'a@example.com', emailVerified: true, profile: { given_name: 'Ada', family_name: 'Lovelace', customer_number: 'C-1', segment: 'gold', orphan: 'x' } };
const EVERY_CLAIM = new Set(['email', 'email_verified', 'name', 'given_name', 'family_name', 'https://shop.example/customer_number', 'https://shop.example/segment', 'orphan']);

describe('releasedClaims', () => {
  it('releases fields whose purpose allows it, composes name of released parts only, and keeps to what the grant allows', () => {
    const verdicts = fieldVerdicts(FIELDS, standings({}));
    expect(releasedClaims(ada, verdicts, EVERY_CLAIM)).toEqual({
      sub: 'sub-1', email: 'a@example.com', email_verified: true, family_name: 'Lovelace', name: 'Lovelace',
      'https://shop.example/customer_number': 'C-1', 'https://shop.example/segment': 'gold',
    });
    expect(releasedClaims(ada, fieldVerdicts(FIELDS, standings({ marketing: 'given', analytics: 'objected' })), EVERY_CLAIM)).toMatchObject({ given_name: 'Ada', name: 'Ada Lovelace' });
    expect(releasedClaims(ada, fieldVerdicts(FIELDS, standings({ analytics: 'objected' })), EVERY_CLAIM)).not.toHaveProperty(['https://shop.example/segment']);
    expect(releasedClaims(ada, verdicts, new Set(['email']))).toEqual({ sub: 'sub-1', email: 'a@example.com' });
  });

  it('explains each field: purpose, basis and reason', () => {
    const verdicts = fieldVerdicts(FIELDS, standings({ marketing: 'withdrawn' }));
    expect(verdicts.get('given_name')).toMatchObject({ purpose: 'marketing', basis: 'consent', released: false, reason: 'consent_withdrawn' });
    expect(verdicts.get('orphan')).toMatchObject({ released: false, reason: 'unknown_purpose' });
    expect(verdicts.get('email')).toMatchObject({ purpose: 'account', released: true });
  });
});

describe('createFieldRelease (webhooks)', () => {
  const release = (states: Partial<Record<string, PurposeState>>, account: ReleasableAccount | null = ada) => createFieldRelease({
    profileFields: () => FIELDS, disabledKeys: () => new Set(['hidden']), purposeStates: async () => standings(states), findAccount: async () => account ?? undefined,
  });

  it('releases subscribed fields the rule allows, null for a missing value, and lists the rest as withheld', async () => {
    const none = { ...ada, profile: { customer_number: 'C-1' } };
    expect(await release({}, none).release('id', ['email', 'given_name', 'customer_number', 'segment', 'unknown_field'])).toEqual({
      values: { email: 'a@example.com', email_verified: true, customer_number: 'C-1', segment: null }, withheld: ['given_name', 'unknown_field'],
    });
  });

  it('while restricted, releases only contract, legal-obligation and vital-interest fields', async () => {
    const restricted = release({ account: 'restricted', marketing: 'restricted', analytics: 'restricted' });
    expect(await restricted.release('id', ['email', 'given_name', 'customer_number', 'segment'])).toEqual({
      values: { email: 'a@example.com', email_verified: true, customer_number: 'C-1' }, withheld: ['given_name', 'segment'],
    });
  });

  it('releases nothing about an erased or missing account; a value no field defines is held for the account purpose', async () => {
    expect(await release({}, null).release('id', ['email'])).toEqual({ values: {}, withheld: ['email'] });
    const stray = release({}, { ...ada, profile: { nickname: 'Countess', hidden: 'no' } });
    expect(await stray.claims({ ...ada, profile: { nickname: 'Countess', hidden: 'no' } }, new Set(['nickname', 'hidden']))).toEqual({ sub: 'sub-1', nickname: 'Countess' });
  });
});
