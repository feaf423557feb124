import { describe, expect, it } from 'vitest';
import {
  backlogFigures,
  diffSnapshots,
  formatDiff,
  performanceFigures,
} from '../../../bin/support/replay-diff';

/** Headline and breakdown rows as /performance and /backlog return them. */
const performance = (rf4: [number, number], all: [number, number]) => ({
  fds: {
    rows: [
      { trust: 'RF4', group: null, within: rf4[0], total: rf4[1], performance: rf4[0] / rf4[1] },
      { trust: 'ALL', group: null, within: all[0], total: all[1], performance: all[0] / all[1] },
      // breakdown rows are not part of the diff
      { trust: 'RF4', group: '1', within: 1, total: 1, performance: 1 },
    ],
  },
});
const backlog = (open: number) => ({
  rows: [
    { trust: 'RF4', group: null, band: '0-28', count: open },
    { trust: 'RF4', group: null, band: '29-62', count: 0 },
  ],
});

describe('replay diff', () => {
  it('marks each trust × standard as changed or not, headline rows only', () => {
    // Prepare
    const before = {
      performance: performanceFigures(performance([6, 6], [10, 11])),
      backlog: backlogFigures(backlog(2)),
    };
    const after = {
      performance: performanceFigures(performance([6, 8], [10, 11])),
      backlog: backlogFigures(backlog(2)),
    };

    // Act
    const diff = diffSnapshots({ period: '2025-06', trust: null }, before, after);

    // Assess
    expect(diff.changed).toBe(true);
    expect(diff.figures).toEqual([
      {
        standard: 'fds',
        trust: 'RF4',
        before: { within: 6, total: 6, performance: 1 },
        after: { within: 6, total: 8, performance: 0.75 },
        changed: true,
      },
      {
        standard: 'fds',
        trust: 'ALL',
        before: { within: 10, total: 11, performance: 10 / 11 },
        after: { within: 10, total: 11, performance: 10 / 11 },
        changed: false,
      },
    ]);
    expect(diff.backlog.every((band) => !band.changed)).toBe(true);
  });

  it('prints a table with before → after and "no change"', () => {
    const before = {
      performance: performanceFigures(performance([6, 6], [10, 11])),
      backlog: backlogFigures(backlog(2)),
    };
    const after = {
      performance: performanceFigures(performance([6, 8], [10, 11])),
      backlog: backlogFigures(backlog(3)),
    };

    const text = formatDiff(diffSnapshots({ period: '2025-06', trust: null }, before, after));

    // 6/6 = 100.0% → 6/8 = 75.0%; 10/11 = 90.9%; the backlog band 0–28 went from 2 to 3
    expect(text.split('\n')).toEqual([
      'Replay 2025-06: figures changed',
      '',
      'standard      trust  before       after',
      'fds           RF4    6/6 100.0%   6/8 75.0%  changed',
      'fds           ALL    10/11 90.9%             no change',
      'backlog 0-28  RF4    2            3          changed',
    ]);
  });

  it('says "no change" when nothing moved, a trust appearing counts as a change', () => {
    const same = { performance: performanceFigures(performance([1, 2], [1, 2])), backlog: {} };
    expect(diffSnapshots({ period: '2025-06', trust: 'RF4' }, same, same).changed).toBe(false);
    expect(formatDiff(diffSnapshots({ period: '2025-06', trust: 'RF4' }, same, same))).toMatch(
      /^Replay 2025-06 RF4: no change/,
    );
    const none = { performance: { fds: {} }, backlog: {} };
    expect(diffSnapshots({ period: '2025-06', trust: null }, none, same).figures[0]).toMatchObject({
      before: null,
      changed: true,
    });
  });
});
