import { describe, expect, it } from 'vitest';
import { mergeThreeWay } from '../../../src/oidc/session-writes.ts';

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
