import { describe, expect, it } from 'vitest';
import {
  buildPerformance,
  type PerformanceContribution,
  type PerformanceInput,
} from '../../../../lambdas/core/performance';
import { nelConfig } from './support';

const config = nelConfig();

/**
 * Two months of FDS contributions. Each trust's submission may carry cells for another trust
 * (e.g. a pathway that ended elsewhere), and one cell belongs to a trust outside the alliance.
 */
const contributions: PerformanceContribution[] = [
  {
    period: '2026-02',
    standard: 'fds',
    cells: [
      ['all', 'R1H', 'all', 28, 36],
      ['all', 'XYZ', 'all', 5, 5], // not a NEL trust: ignored everywhere
    ],
  },
  {
    period: '2026-02',
    standard: 'fds',
    cells: [
      ['all', 'RQX', 'all', 10, 20],
      ['all', 'R1H', 'all', 2, 4],
    ],
  },
  {
    period: '2026-03',
    standard: 'fds',
    cells: [
      ['all', 'R1H', 'all', 32, 40],
      ['all', 'RF4', 'all', 8, 10],
      ['imdQuintile', 'R1H', '1', 3, 10],
      ['imdQuintile', 'R1H', '2', 20, 23],
      ['imdQuintile', 'RF4', '1', 40, 52],
      ['route', 'R1H', 'Urgent suspected cancer', 3, 4],
      ['imdDecile', 'R1H', '10', 9, 10],
      ['imdDecile', 'R1H', '2', 9, 10],
      ['imdDecile', 'R1H', 'unknown', 9, 10],
      ['imdDecile', 'R1H', '1', 9, 10],
    ],
  },
  { period: '2026-04', standard: 'fds', cells: [['all', 'R1H', 'all', 1, 1]] },
  {
    period: '2026-03',
    standard: '62d',
    cells: [
      ['all', 'R1H', 'all', 2.5, 3.5],
      ['all', 'RQX', 'all', 0, 0.5],
    ],
  },
];

function input(overrides: Partial<PerformanceInput>): PerformanceInput {
  return {
    standard: 'fds',
    from: '2026-02',
    to: '2026-03',
    contributions,
    config,
    disclosure: 'suppressed',
    ...overrides,
  };
}

describe('buildPerformance: headline rows', () => {
  it('gives one row per month × trust with data, plus the alliance total, with targets by month', () => {
    // Act
    const result = buildPerformance(input({}));
    // Assess: FDS target is 75% from 2023-10 and 80% from 2026-03; the FDS ambition (2025/26 planning guidance) is 80% from 2025-04.
    // Feb R1H = 28 + 2 (from RQX's submission) of 36 + 4 = 30/40 = 0.75 → meets 0.75.
    // Feb RQX 10/20 = 0.5. Feb ALL = 40/60 = 0.6667 (XYZ excluded).
    // Mar R1H 32/40 = 0.8 → meets 0.8; RF4 8/10 = 0.8; ALL 40/50 = 0.8.
    expect(result).toEqual({
      standard: 'fds',
      from: '2026-02',
      to: '2026-03',
      by: null,
      rows: [
        {
          period: '2026-02',
          trust: 'R1H',
          group: null,
          within: 30,
          total: 40,
          performance: 0.75,
          target: 0.75,
          meetsTarget: true,
          ambition: 0.8,
        },
        {
          period: '2026-02',
          trust: 'RQX',
          group: null,
          within: 10,
          total: 20,
          performance: 0.5,
          target: 0.75,
          meetsTarget: false,
          ambition: 0.8,
        },
        {
          period: '2026-02',
          trust: 'ALL',
          group: null,
          within: 40,
          total: 60,
          performance: 0.6667,
          target: 0.75,
          meetsTarget: false,
          ambition: 0.8,
        },
        {
          period: '2026-03',
          trust: 'R1H',
          group: null,
          within: 32,
          total: 40,
          performance: 0.8,
          target: 0.8,
          meetsTarget: true,
          ambition: 0.8,
        },
        {
          period: '2026-03',
          trust: 'RF4',
          group: null,
          within: 8,
          total: 10,
          performance: 0.8,
          target: 0.8,
          meetsTarget: true,
          ambition: 0.8,
        },
        {
          period: '2026-03',
          trust: 'ALL',
          group: null,
          within: 40,
          total: 50,
          performance: 0.8,
          target: 0.8,
          meetsTarget: true,
          ambition: 0.8,
        },
      ],
    });
  });

  it('keeps only the requested trust, and still the alliance total', () => {
    // Act
    const { rows } = buildPerformance(input({ trust: 'RQX' }));
    // Assess: RQX has data only in February; ALL rows are the same as without the filter.
    expect(rows.map((r) => [r.period, r.trust, r.within, r.total])).toEqual([
      ['2026-02', 'RQX', 10, 20],
      ['2026-02', 'ALL', 40, 60],
      ['2026-03', 'ALL', 40, 50],
    ]);
  });

  it('limits rows to the months asked for and the standard asked for', () => {
    // Act
    const march = buildPerformance(input({ from: '2026-03', to: '2026-03' }));
    const none = buildPerformance(input({ from: '2025-01', to: '2025-12' }));
    // Assess
    expect(new Set(march.rows.map((r) => r.period))).toEqual(new Set(['2026-03']));
    expect(none.rows).toEqual([]);
  });

  it('shows fractional (shared-breach) counts to 4 decimals, and the 62-day ambition', () => {
    // Act
    const { rows } = buildPerformance(input({ standard: '62d', from: '2026-03', to: '2026-03' }));
    // Assess: R1H 2.5/3.5 = 0.714285… → 0.7143; RQX 0/0.5 = 0; ALL 2.5/4 = 0.625.
    // 62-day target 85%; ambition 75% from 2025-04.
    expect(rows).toEqual([
      {
        period: '2026-03',
        trust: 'R1H',
        group: null,
        within: 2.5,
        total: 3.5,
        performance: 0.7143,
        target: 0.85,
        meetsTarget: false,
        ambition: 0.75,
      },
      {
        period: '2026-03',
        trust: 'RQX',
        group: null,
        within: 0,
        total: 0.5,
        performance: 0,
        target: 0.85,
        meetsTarget: false,
        ambition: 0.75,
      },
      {
        period: '2026-03',
        trust: 'ALL',
        group: null,
        within: 2.5,
        total: 4,
        performance: 0.625,
        target: 0.85,
        meetsTarget: false,
        ambition: 0.75,
      },
    ]);
  });

  it('has no ambition where none is configured (31-day)', () => {
    const { rows } = buildPerformance(
      input({
        standard: '31d',
        contributions: [
          { period: '2026-03', standard: '31d', cells: [['all', 'RF4', 'all', 24, 25]] },
        ],
      }),
    );
    // 24/25 = 0.96 → meets the 96% target exactly.
    expect(rows[0]).toMatchObject({
      trust: 'RF4',
      performance: 0.96,
      target: 0.96,
      meetsTarget: true,
      ambition: null,
    });
  });
});

describe('buildPerformance: breakdowns', () => {
  it('suppresses and rounds patient-characteristic breakdowns', () => {
    // Act
    const result = buildPerformance(input({ by: 'imdQuintile', from: '2026-03', to: '2026-03' }));
    // Assess (rule: 1–7 hidden, others to the nearest 5, percentage from rounded counts):
    // R1H q1 3/10 → within 3 is small → suppressed.
    // R1H q2 20/23 → 20/25 = 0.8 → meets 0.8.
    // RF4 q1 40/52 → 40/50 = 0.8.
    // ALL q1 43/62 → 45/60 = 0.75 → misses 0.8.  ALL q2 20/23 → 20/25.
    expect(result.by).toBe('imdQuintile');
    expect(result.rows).toEqual([
      {
        period: '2026-03',
        trust: 'R1H',
        group: '1',
        within: null,
        total: null,
        performance: null,
        target: 0.8,
        meetsTarget: null,
        ambition: 0.8,
        suppressed: true,
      },
      {
        period: '2026-03',
        trust: 'R1H',
        group: '2',
        within: 20,
        total: 25,
        performance: 0.8,
        target: 0.8,
        meetsTarget: true,
        ambition: 0.8,
      },
      {
        period: '2026-03',
        trust: 'RF4',
        group: '1',
        within: 40,
        total: 50,
        performance: 0.8,
        target: 0.8,
        meetsTarget: true,
        ambition: 0.8,
      },
      {
        period: '2026-03',
        trust: 'ALL',
        group: '1',
        within: 45,
        total: 60,
        performance: 0.75,
        target: 0.8,
        meetsTarget: false,
        ambition: 0.8,
      },
      {
        period: '2026-03',
        trust: 'ALL',
        group: '2',
        within: 20,
        total: 25,
        performance: 0.8,
        target: 0.8,
        meetsTarget: true,
        ambition: 0.8,
      },
    ]);
  });

  it('shows exact figures with full disclosure', () => {
    // Act
    const { rows } = buildPerformance(
      input({ by: 'imdQuintile', from: '2026-03', to: '2026-03', disclosure: 'full' }),
    );
    // Assess: R1H q1 3/10 = 0.3; ALL q1 43/62 = 0.693548… → 0.6935.
    expect(rows.map((r) => [r.trust, r.group, r.within, r.total, r.performance])).toEqual([
      ['R1H', '1', 3, 10, 0.3],
      ['R1H', '2', 20, 23, 0.8696],
      ['RF4', '1', 40, 52, 0.7692],
      ['ALL', '1', 43, 62, 0.6935],
      ['ALL', '2', 20, 23, 0.8696],
    ]);
    expect(rows.some((r) => r.suppressed)).toBe(false);
  });

  it('does not suppress breakdowns that do not describe patients (route)', () => {
    // Act
    const { rows } = buildPerformance(input({ by: 'route', from: '2026-03', to: '2026-03' }));
    // Assess: 3/4 would be hidden under the small-number rule; by route it is shown.
    expect(rows[0]).toMatchObject({
      trust: 'R1H',
      group: 'Urgent suspected cancer',
      within: 3,
      total: 4,
      performance: 0.75,
    });
    expect(rows[0]?.suppressed).toBeUndefined();
  });

  it('orders groups numerically, then words', () => {
    const { rows } = buildPerformance(
      input({ by: 'imdDecile', from: '2026-03', to: '2026-03', trust: 'R1H', disclosure: 'full' }),
    );
    expect(rows.filter((r) => r.trust === 'R1H').map((r) => r.group)).toEqual([
      '1',
      '2',
      '10',
      'unknown',
    ]);
  });
});

describe('buildPerformance: 62-day allocations, handover sub-metrics and modality', () => {
  /** March 2026: the same pathways stored under both 62-day allocations, and 38d/24d/31d. */
  const stored: PerformanceContribution[] = [
    {
      period: '2026-03',
      standard: '62d',
      cells: [
        ['all', 'RF4', 'all', 1.5, 2],
        ['all', 'R1H', 'all', 0.5, 1],
      ],
    },
    { period: '2026-03', standard: '62d-treating', cells: [['all', 'R1H', 'all', 2, 3]] },
    { period: '2026-03', standard: '38d', cells: [['all', 'RF4', 'all', 1, 2]] },
    {
      period: '2026-03',
      standard: '31d',
      cells: [
        ['all', 'RF4', 'all', 3, 4],
        ['modality', 'RF4', 'Surgery', 2, 2],
        ['modality', 'RF4', 'Radiotherapy', 1, 2],
      ],
    },
  ];
  const march = { from: '2026-03', to: '2026-03', contributions: stored };

  it('serves the shared allocation by default and says so', () => {
    // Act
    const result = buildPerformance(input({ ...march, standard: '62d' }));
    // Assess: RF4 1.5/2, R1H 0.5/1, ALL 2/3.
    expect(result.allocation).toBe('shared');
    expect(result.rows.map((r) => [r.trust, r.within, r.total])).toEqual([
      ['R1H', 0.5, 1],
      ['RF4', 1.5, 2],
      ['ALL', 2, 3],
    ]);
  });

  it('serves the treating allocation from its own stored figures, with the 62-day target', () => {
    // Act
    const result = buildPerformance(input({ ...march, standard: '62d', allocation: 'treating' }));
    // Assess: R1H 2/3 = 0.6667, target 85%; the alliance total equals the shared one (2/3).
    expect(result.allocation).toBe('treating');
    expect(result.rows).toEqual([
      expect.objectContaining({ trust: 'R1H', within: 2, total: 3, target: 0.85 }),
      expect.objectContaining({ trust: 'ALL', within: 2, total: 3, performance: 0.6667 }),
    ]);
  });

  it('has no target for the handover sub-metrics unless configured, and no allocation field', () => {
    // Act
    const plain = buildPerformance(input({ ...march, standard: '38d' }));
    const configured = buildPerformance(
      input({
        ...march,
        standard: '38d',
        config: {
          ...config,
          targets: { ...config.targets, '38d': [{ from: '2025-04', value: 0.5 }] },
        },
      }),
    );
    // Assess: RF4 1/2 = 0.5.
    expect(plain.rows[0]).toMatchObject({ trust: 'RF4', performance: 0.5, target: null });
    expect(plain.rows[0]?.meetsTarget).toBeNull();
    expect('allocation' in plain).toBe(false);
    expect(configured.rows[0]).toMatchObject({ target: 0.5, meetsTarget: true });
  });

  it('breaks 31-day down by modality group without suppression', () => {
    // Act
    const { rows } = buildPerformance(input({ ...march, standard: '31d', by: 'modality' }));
    // Assess: 2/2 and 1/2 would both be suppressed (1–7) for a patient characteristic.
    expect(rows.map((r) => [r.trust, r.group, r.within, r.total])).toEqual([
      ['RF4', 'Radiotherapy', 1, 2],
      ['RF4', 'Surgery', 2, 2],
      ['ALL', 'Radiotherapy', 1, 2],
      ['ALL', 'Surgery', 2, 2],
    ]);
  });
});
