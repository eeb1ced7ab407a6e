// Scrubbing kept JSON (ledger details, event data): the account id becomes the tombstone, personal strings
// and personal keys become "[erased]", everything else (field names, ids of other things) stays.
import { describe, expect, it } from 'vitest';
import { ERASED, scrubJson, stringsIn } from '../../../src/privacy/scrub.ts';

const target = { accountId: '11111111-1111-4111-8111-111111111111', tombstone: '22222222-2222-4222-8222-222222222222', needles: ['ada@example.com', 'Lovelace', 'Al'] };

describe('scrubJson', () => {
  it('replaces the account id, strings holding a needle (any case) and personal keys; keeps the rest', () => {
    const out = scrubJson({
      subject: target.accountId, fields: ['given_name', 'family_name'], note: 'changed by ADA@example.com', nested: [{ who: 'lady lovelace' }],
      ip: '203.0.113.1', client: 'shop', count: 3, ok: true, nothing: null, link: `/account/${target.accountId}/x`,
    }, target);
    expect(out).toEqual({
      subject: target.tombstone, fields: ['given_name', 'family_name'], note: ERASED, nested: [{ who: ERASED }],
      ip: ERASED, client: 'shop', count: 3, ok: true, nothing: null, link: ERASED,
    });
  });

  it('ignores needles shorter than three characters, so short names do not erase unrelated text', () => {
    expect(scrubJson({ scope: 'openid email', alias: 'Al' }, target)).toEqual({ scope: 'openid email', alias: 'Al' });
  });
});

describe('stringsIn', () => {
  it('finds every string of a nested value', () => {
    expect(stringsIn({ street: '1 Rue X', locality: 'Paris', n: 2, list: ['a', { b: 'c' }] })).toEqual(['1 Rue X', 'Paris', 'a', 'c']);
  });
});
