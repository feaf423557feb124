import { describe, expect, it } from 'vitest';
import { CHANGE_LIFETIME_MS, periodVersionKey } from '../../../lambdas/core/data-version';

const NOW = 1_800_000_000_000;

describe('periodVersionKey', () => {
  it('is the token when no change is in progress, and a fixed key before any', () => {
    expect(periodVersionKey({ token: 't1', changes: [] }, NOW)).toBe('t1');
    expect(periodVersionKey(undefined, NOW)).toBe('-');
    expect(periodVersionKey({ token: null, changes: [] }, NOW)).toBe('-');
  });

  it('is null (read afresh, cache nothing) while a change may still be writing', () => {
    const started = NOW - CHANGE_LIFETIME_MS + 1;
    expect(
      periodVersionKey({ token: 't1', changes: [{ submissionId: 's2', startedAt: started }] }, NOW),
    ).toBeNull();
  });

  it('keys by a dead change too, so nothing cached before it died is served after', () => {
    // Prepare: s2 began exactly one lifetime ago and never ended (its Lambda died mid-write)
    const startedAt = NOW - CHANGE_LIFETIME_MS;

    // Act
    const key = periodVersionKey(
      { token: 't1', changes: [{ submissionId: 's2', startedAt }] },
      NOW,
    );

    // Assess: not 't1' (whatever was cached under it predates s2's writes)
    expect(key).toBe(`t1+s2@${startedAt}`);
  });
});
