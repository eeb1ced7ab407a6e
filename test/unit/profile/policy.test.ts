// The progressive profiling decision, rule by rule: sign-up and Nth-visit rules, client-required fields
// (regardless of the limit, skips and visit), client-wanted fields, the per-visit limit and its client
// override, priority order, the skip back-off, granted scopes, prompt=none, and the visit counting rule.
import { describe, expect, it } from 'vitest';
import { currentVisit, decideProfileFields, type FieldRule, type ProfileSituation } from '../../../src/profile/policy.ts';

const NOW = new Date('2026-12-01T12:00:00Z');
const DAY = 86_400_000;

const fields: FieldRule[] = [
  { key: 'given_name', ask: 'signup', priority: 10, scope: 'profile' },
  { key: 'family_name', ask: 'signup', priority: 9, scope: 'profile' },
  { key: 'birthdate', ask: { fromVisit: 2 }, priority: 5, scope: 'profile' },
  { key: 'phone_number', ask: { fromVisit: 3 }, priority: 1, scope: 'phone' },
  { key: 'shoe_size', ask: 'never', priority: 0, scope: 'preferences' },
  { key: 'colour', ask: { fromVisit: 2 }, priority: 50, scope: 'preferences' },
];

function situation(over: Partial<ProfileSituation> = {}): ProfileSituation {
  return {
    fields, given: new Set(), skippedAt: new Map(), visit: 1, askedThisVisit: new Set(),
    client: { required: [], optional: [] }, grantedScopes: ['openid', 'profile', 'phone', 'preferences'],
    interactive: true, now: NOW, maxOptionalPerVisit: 2, skipBackoffDays: 30, ...over,
  };
}

describe('decideProfileFields', () => {
  it('asks the sign-up fields on the first visit, highest priority first, at most K', () => {
    expect(decideProfileFields(situation())).toEqual({ required: [], optional: ['given_name', 'family_name'] });
  });

  it('asks fields from their Nth visit on, never before', () => {
    const given = new Set(['given_name', 'family_name']);
    expect(decideProfileFields(situation({ given, visit: 1 })).optional).toEqual([]);
    expect(decideProfileFields(situation({ given, visit: 2 })).optional).toEqual(['colour', 'birthdate']);
    expect(decideProfileFields(situation({ given: new Set([...given, 'colour', 'birthdate']), visit: 3 })).optional).toEqual(['phone_number']);
  });

  it('never asks more than K optional fields; a client may set its own K, 0 included', () => {
    const s = situation({ visit: 3 });
    expect(decideProfileFields(s).optional).toHaveLength(2);
    expect(decideProfileFields({ ...s, maxOptionalPerVisit: 1 }).optional).toEqual(['colour']);
    expect(decideProfileFields({ ...s, client: { required: [], optional: [], perVisit: 4 } }).optional).toEqual(['colour', 'given_name', 'family_name', 'birthdate']);
    expect(decideProfileFields({ ...s, client: { required: [], optional: [], perVisit: 0 } }).optional).toEqual([]);
  });

  it('counts the optional fields an earlier sign-in of the same visit asked against K, and may ask those again', () => {
    expect(decideProfileFields(situation({ given: new Set(['given_name', 'family_name']), askedThisVisit: new Set(['given_name', 'family_name']) })).optional).toEqual([]);
    expect(decideProfileFields(situation({ given: new Set(['given_name']), askedThisVisit: new Set(['given_name']) })).optional).toEqual(['family_name']);
    expect(decideProfileFields(situation({ askedThisVisit: new Set(['given_name', 'family_name']) })).optional).toEqual(['given_name', 'family_name']);
  });

  it('does not ask what the account already has', () => {
    expect(decideProfileFields(situation({ given: new Set(['given_name']) })).optional).toEqual(['family_name']);
  });

  it('asks fields a client requires regardless of K, visit, skips and rule, in schema order', () => {
    const s = situation({
      visit: 1, maxOptionalPerVisit: 0, skippedAt: new Map([['birthdate', NOW]]),
      client: { required: ['shoe_size', 'birthdate'], optional: [] },
    });
    expect(decideProfileFields(s)).toEqual({ required: ['birthdate', 'shoe_size'], optional: [] });
  });

  it('a required field already given is not asked; unknown field keys are ignored', () => {
    const s = situation({ given: new Set(['birthdate', 'given_name', 'family_name']), client: { required: ['birthdate', 'no_such_field'], optional: [] } });
    expect(decideProfileFields(s)).toEqual({ required: [], optional: [] });
  });

  it('a required field is not also counted as optional, and does not use up K', () => {
    const s = situation({ client: { required: ['given_name'], optional: [] } });
    expect(decideProfileFields(s)).toEqual({ required: ['given_name'], optional: ['family_name'] });
  });

  it('asks fields a client would like whatever the visit number, within K', () => {
    const s = situation({ given: new Set(['given_name', 'family_name']), visit: 1, client: { required: [], optional: ['shoe_size', 'phone_number'] } });
    expect(decideProfileFields(s).optional).toEqual(['phone_number', 'shoe_size']);
  });

  it('after "Not now", waits for the back-off before asking again', () => {
    const skipped = (days: number) => situation({ skippedAt: new Map([['given_name', new Date(NOW.getTime() - days * DAY)]]) });
    expect(decideProfileFields(skipped(29)).optional).toEqual(['family_name']);
    expect(decideProfileFields(skipped(30)).optional).toEqual(['given_name', 'family_name']);
    expect(decideProfileFields({ ...skipped(5), skipBackoffDays: 3 }).optional).toEqual(['given_name', 'family_name']);
  });

  it('a skip also holds back a field the client would like', () => {
    const s = situation({ given: new Set(['given_name', 'family_name']), skippedAt: new Map([['shoe_size', NOW]]), client: { required: [], optional: ['shoe_size'] } });
    expect(decideProfileFields(s).optional).toEqual([]);
  });

  it('asks an optional field only through a client granted the scope that releases it', () => {
    const s = situation({ visit: 3, given: new Set(['given_name', 'family_name', 'birthdate']), grantedScopes: ['openid', 'profile'] });
    expect(decideProfileFields(s).optional).toEqual([]);
    expect(decideProfileFields({ ...s, grantedScopes: ['openid', 'phone'] }).optional).toEqual(['phone_number']);
  });

  it('a field no scope releases is asked through any client', () => {
    const s = situation({ fields: [{ key: 'internal', ask: 'signup', priority: 0, scope: null }], grantedScopes: ['openid'] });
    expect(decideProfileFields(s).optional).toEqual(['internal']);
  });

  it('with prompt=none asks nothing optional, but still reports missing required fields', () => {
    expect(decideProfileFields(situation({ interactive: false }))).toEqual({ required: [], optional: [] });
    expect(decideProfileFields(situation({ interactive: false, client: { required: ['birthdate'], optional: [] } }))).toEqual({ required: ['birthdate'], optional: [] });
  });

  it('breaks priority ties by the schema order', () => {
    const tied: FieldRule[] = [
      { key: 'b', ask: 'signup', priority: 1, scope: null },
      { key: 'a', ask: 'signup', priority: 1, scope: null },
      { key: 'c', ask: 'signup', priority: 1, scope: null },
    ];
    expect(decideProfileFields(situation({ fields: tied })).optional).toEqual(['b', 'a']);
  });
});

describe('currentVisit', () => {
  const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
  it('is 1 for an account never seen (the sign-up)', () => {
    expect(currentVisit(undefined, NOW, 12)).toBe(1);
  });
  it('stays the same visit within the gap, and is the next one after it', () => {
    expect(currentVisit({ visits: 1, lastVisitAt: hoursAgo(11) }, NOW, 12)).toBe(1);
    expect(currentVisit({ visits: 1, lastVisitAt: hoursAgo(12) }, NOW, 12)).toBe(2);
    expect(currentVisit({ visits: 4, lastVisitAt: hoursAgo(100) }, NOW, 12)).toBe(5);
  });
});
