// The one keyset cursor of every paged list: what it encodes comes back, anything else (another list's shape,
// tampering, junk) is refused without a throw; a short list held in memory pages by the same rule.
import { describe, expect, it } from 'vitest';
import { pageOfList } from '../../../src/admin/list-query.ts';
import { decodeCursor, encodeCursor, TIMESTAMP_KEY } from '../../../src/paging/keyset-cursor.ts';

const SHAPE = { key: TIMESTAMP_KEY, id: /^evt_[\w-]{1,60}$/ };

describe('the keyset cursor', () => {
  it('decodes what it encoded, to the microsecond', () => {
    const cursor = { key: '2026-12-03 09:00:00.123456+00', id: 'evt_1' };
    expect(decodeCursor(encodeCursor(cursor), SHAPE)).toEqual(cursor);
  });

  it('refuses junk, tampering and a cursor of another shape', () => {
    for (const value of ['', 'not-a-cursor', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["2026-12-03 09:00:00+00","evt_1","extra"]').toString('base64url')]) {
      expect(decodeCursor(value, SHAPE), value).toBeUndefined();
    }
    expect(decodeCursor(encodeCursor({ key: 'yesterday', id: 'evt_1' }), SHAPE)).toBeUndefined();
    expect(decodeCursor(encodeCursor({ key: '2026-12-03 09:00:00+00', id: "1' OR 1=1" }), SHAPE)).toBeUndefined();
  });
});

describe('paging a list held in memory', () => {
  const items = ['d', 'b', 'a', 'c', 'e'].map((id) => ({ id, at: id === 'e' ? '1' : '0' }));
  const keyOf = (i: { id: string; at: string }) => ({ key: i.at, id: i.id });

  it('walks every item once in key order, then id', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = pageOfList(items, keyOf, { limit: 2, cursor });
      seen.push(...page.items.map((i) => i.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('continues after the cursor even when the item it names is gone', () => {
    const first = pageOfList(items, keyOf, { limit: 2 });
    const rest = pageOfList(items.filter((i) => i.id !== 'b'), keyOf, { limit: 10, cursor: first.next_cursor! });
    expect(rest.items.map((i) => i.id)).toEqual(['c', 'd', 'e']);
    expect(rest.next_cursor).toBeNull();
  });

  it('refuses a cursor it never gave with a 400', () => {
    expect(() => pageOfList(items, keyOf, { limit: 2, cursor: 'junk' })).toThrow(expect.objectContaining({ status: 400, code: 'request.invalid' }));
  });
});
