import { describe, expect, it } from 'vitest';
import { periodsBetween } from '../../../../lambdas/core/periods';

describe('periodsBetween', () => {
  it('walks across a year end inclusively', () => {
    expect(periodsBetween('2025-11', '2026-02')).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
  });
  it('is one period when from = to and empty when reversed', () => {
    expect(periodsBetween('2025-06', '2025-06')).toEqual(['2025-06']);
    expect(periodsBetween('2025-07', '2025-06')).toEqual([]);
  });
});
