import { describe, expect, it } from 'vitest';
import { backlogAlerts } from '../../../../lambdas/core/backlog-alerts';
import { AllianceConfigSchema } from '../../../../lambdas/core/config';
import type { PerformanceContribution } from '../../../../lambdas/core/performance';
import nel from '../../../../lib/alliances/north-east-london.json';

const config = AllianceConfigSchema.parse(nel);

/** One trust's backlog contribution: counts per band (cells as aggregation writes them). */
const backlog = (
  period: string,
  trust: string,
  bands: [number, number, number, number],
): PerformanceContribution => ({
  period,
  standard: 'backlog',
  submittingTrust: trust,
  cells: (['0-28', '29-62', '63-104', '>104'] as const)
    .map(
      (band, i) =>
        ['all', trust, `${band}|all`, 0, bands[i] ?? 0] as [string, string, string, number, number],
    )
    .filter((cell) => cell[4] > 0),
});

describe('backlog alerts', () => {
  it('raises an over-104-day alert wherever anyone waits over 104 days', () => {
    const alerts = backlogAlerts([backlog('2025-10', 'RF4', [5, 3, 2, 1])], '2025-10', config);
    const over = alerts.filter((a) => a.kind === 'over-104-days');
    expect(over.map((a) => [a.trust, a.message.figures])).toEqual(
      [
        [
          'ALL',
          {
            over104Days: 1,
            openPathways: 11,
            bands: { '0-28': 5, '29-62': 3, '63-104': 2, '>104': 1 },
          },
        ],
        [
          'RF4',
          {
            over104Days: 1,
            openPathways: 11,
            bands: { '0-28': 5, '29-62': 3, '63-104': 2, '>104': 1 },
          },
        ],
      ].sort(),
    );
  });

  it('raises backlog growth only past both thresholds (5 patients and 10%)', () => {
    // RF4 over 62 days: 40 → 45 (+5, 12.5%) grows; R1H 60 → 64 (+4) does not; RQX 100 → 105
    // (+5 but 5% < 10%) does not. ALL: 200 → 214 (+14, 7%) does not.
    const contributions = [
      backlog('2025-09', 'RF4', [0, 0, 40, 0]),
      backlog('2025-10', 'RF4', [0, 0, 44, 1]),
      backlog('2025-09', 'R1H', [0, 0, 60, 0]),
      backlog('2025-10', 'R1H', [0, 0, 64, 0]),
      backlog('2025-09', 'RQX', [0, 0, 100, 0]),
      backlog('2025-10', 'RQX', [0, 0, 105, 0]),
    ];
    const growth = backlogAlerts(contributions, '2025-10', config).filter(
      (a) => a.kind === 'backlog-growth',
    );
    expect(growth.map((a) => [a.trust, a.message.figures])).toEqual([
      ['RF4', { over62Days: 45, previousOver62Days: 40, increase: 5 }],
    ]);
  });

  it('says nothing about growth without a previous month to compare with', () => {
    const alerts = backlogAlerts([backlog('2025-10', 'RF4', [0, 0, 50, 0])], '2025-10', config);
    expect(alerts.filter((a) => a.kind === 'backlog-growth')).toEqual([]);
  });
});
