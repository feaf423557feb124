import { describe, expect, it } from 'vitest';
import { shortfall, standardBreaches } from '../../../../lambdas/core/alerts';
import { AllianceConfigSchema } from '../../../../lambdas/core/config';
import type { PerformanceRow } from '../../../../lambdas/core/performance';
import nel from '../../../../lib/alliances/north-east-london.json';

const config = AllianceConfigSchema.parse(nel);
const row = (over: Partial<PerformanceRow>): PerformanceRow =>
  ({
    period: '2025-06',
    trust: 'RF4',
    group: null,
    within: 70,
    total: 100,
    performance: 0.7,
    target: 0.75,
    meetsTarget: false,
    ambition: null,
    ...over,
  }) as PerformanceRow;

describe('standard breach alerts', () => {
  it('raises one alert per headline row below target, with the query to look at', () => {
    const alerts = standardBreaches(
      [
        row({}),
        row({ trust: 'R1H', performance: 0.8, within: 80, meetsTarget: true }),
        row({ trust: 'ALL' }),
      ],
      'fds',
      config,
    );
    expect(alerts.map((a) => a.trust)).toEqual(['RF4', 'ALL']);
    expect(alerts[0]?.message).toMatchObject({
      type: 'standard-breach',
      standard: 'fds',
      trust: 'RF4',
      within: 70,
      total: 100,
      threshold: 0.75,
      shortfall: 5,
      query: '/performance?standard=fds&from=2025-06&to=2025-06&trust=RF4',
    });
    expect(alerts[1]?.message.query).toBe('/performance?standard=fds&from=2025-06&to=2025-06');
    expect(alerts[0]?.subject).toContain('70.0% (target 75.0%)');
  });

  it('ignores breakdown rows and rows without data', () => {
    expect(
      standardBreaches(
        [row({ group: '1' }), row({ total: 0, within: 0, performance: null, meetsTarget: null })],
        'fds',
        config,
      ),
    ).toEqual([]);
  });

  it('changes its fingerprint when the figures change', () => {
    const [a] = standardBreaches([row({})], '62d', config);
    const [b] = standardBreaches([row({ within: 71, performance: 0.71 })], '62d', config);
    expect(a?.fingerprint).not.toBe(b?.fingerprint);
  });

  it('counts the patients short of target', () => {
    // 75% of 100 = 75 needed, 70 within → 5 short; 96% of 50 = 48 → 48 within meets it
    expect(shortfall(70, 100, 0.75)).toBe(5);
    expect(shortfall(48, 50, 0.96)).toBe(0);
    expect(shortfall(47, 50, 0.96)).toBe(1);
  });
});
