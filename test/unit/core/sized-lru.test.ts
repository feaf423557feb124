import { describe, expect, it } from 'vitest';
import { SizedLru } from '../../../lambdas/core/sized-lru';

describe('SizedLru', () => {
  it('evicts the least recently used entries until the sizes fit the budget', () => {
    // Prepare: budget 10; a (4) and b (4) fit
    const lru = new SizedLru<string>(10);
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);

    // Act: reading a makes b the coldest; c (4) brings the total to 12 > 10
    expect(lru.get('a')).toBe('A');
    lru.set('c', 'C', 4);

    // Assess: b went (12 − 4 = 8 ≤ 10); a and c stay
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.get('c')).toBe('C');
    expect(lru.size).toBe(8);
  });

  it('refuses a size that is not a finite, non-negative number', () => {
    const lru = new SizedLru<string>(10);
    lru.set('a', 'A', 4);
    expect(() => lru.set('b', 'B', Number.NaN)).toThrow(RangeError);
    expect(() => lru.set('b', 'B', -1)).toThrow(RangeError);
    // the budget still works afterwards
    lru.set('c', 'C', 4);
    expect(lru.size).toBe(8);
    expect(lru.get('a')).toBe('A');
  });

  it('evicts as many entries as it takes for a large one', () => {
    const lru = new SizedLru<number>(10);
    for (const [key, size] of [
      ['a', 3],
      ['b', 3],
      ['c', 3],
    ] as const) {
      lru.set(key, size, size);
    }
    // 9 + 8 = 17: a (→14) and b (→11) and c (→8) must all go
    lru.set('big', 8, 8);
    expect([lru.get('a'), lru.get('b'), lru.get('c'), lru.get('big')]).toEqual([
      undefined,
      undefined,
      undefined,
      8,
    ]);
    expect(lru.count).toBe(1);
  });

  it('replaces an entry without counting it twice, and never stores one over budget', () => {
    const lru = new SizedLru<string>(10);
    lru.set('a', 'old', 6);
    lru.set('a', 'new', 5);
    expect(lru.size).toBe(5);
    expect(lru.get('a')).toBe('new');
    // 11 > 10: not stored, and it takes the old 'a' with it rather than leaving a stale value
    lru.set('a', 'huge', 11);
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});
