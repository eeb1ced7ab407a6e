import { describe, expect, it } from 'vitest';
import { mergeThreeWay, onlyExpiryMovedWithin } from '../../../src/oidc/session-writes.ts';

describe('merging a session written back with the row as it is now', () => {
  const base = { uid: 'u', loginTs: 1, authorizations: { shop: { sid: 's1' }, blog: { sid: 'b1' } } };

  it('takes what the writer did not change from the row, and what it changed from the writer', () => {
    const ours = { ...base, loginTs: 2 };
    const theirs = { ...base, authorizations: { blog: { sid: 'b1' } } };
    expect(mergeThreeWay(base, ours, theirs)).toEqual({ uid: 'u', loginTs: 2, authorizations: { blog: { sid: 'b1' } } });
  });

  it('merges both sides\' changes inside an object, the writer winning a key both changed', () => {
    const ours = { ...base, authorizations: { ...base.authorizations, news: { sid: 'n1' }, blog: { sid: 'b2' } } };
    const theirs = { ...base, authorizations: { shop: { sid: 's1' }, blog: { sid: 'b3' } } };
    expect(mergeThreeWay(base, ours, theirs)).toEqual({ ...base, authorizations: { shop: { sid: 's1' }, news: { sid: 'n1' }, blog: { sid: 'b2' } } });
  });

  it('keeps a key removed on either side unless the other changed it', () => {
    const ours = { ...base, authorizations: { blog: { sid: 'b1' } } };
    expect(mergeThreeWay(base, ours, base)).toEqual(ours);
    expect(mergeThreeWay(base, base, ours)).toEqual(ours);
  });
});

describe('a session saved again with only its idle expiry moved', () => {
  const read = JSON.stringify({ uid: 'u', exp: 1000, authorizations: { shop: { sid: 's1' } } });

  it('needs no write while the expiry moves forward by at most the slack', () => {
    expect(onlyExpiryMovedWithin(read, { uid: 'u', exp: 1000, authorizations: { shop: { sid: 's1' } } }, 60)).toBe(true);
    expect(onlyExpiryMovedWithin(read, { uid: 'u', exp: 1060, authorizations: { shop: { sid: 's1' } } }, 60)).toBe(true);
  });

  it('needs one past the slack, backwards, with no slack, or when anything else changed', () => {
    expect(onlyExpiryMovedWithin(read, { uid: 'u', exp: 1061, authorizations: { shop: { sid: 's1' } } }, 60)).toBe(false);
    expect(onlyExpiryMovedWithin(read, { uid: 'u', exp: 999, authorizations: { shop: { sid: 's1' } } }, 60)).toBe(false);
    expect(onlyExpiryMovedWithin(read, { uid: 'u', exp: 1010, authorizations: { shop: { sid: 's1' } } }, 0)).toBe(false);
    expect(onlyExpiryMovedWithin(read, { uid: 'u', exp: 1010, authorizations: { shop: { sid: 's2' } } }, 60)).toBe(false);
    expect(onlyExpiryMovedWithin(read, { uid: 'u', exp: 1010, authorizations: { shop: { sid: 's1' } }, accountId: 'a' }, 60)).toBe(false);
  });
});
