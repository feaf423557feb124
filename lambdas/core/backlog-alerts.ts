import { type Alert, scopeName, subjectLine } from './alerts';
import { type BacklogTotals, backlogTotals } from './backlog';
import type { AllianceConfig } from './config';
import type { PerformanceContribution } from './performance';

/**
 * Backlog alerts: patients waiting more than 104 days (any at all is a harm-review trigger) and
 * growth of the 62-day backlog (63+ days) month on month. Counts only, never who is waiting.
 */

const overSixtyTwo = (totals: BacklogTotals | undefined) =>
  totals ? totals.bands['63-104'] + totals.bands['>104'] : 0;

function previousPeriod(period: string): string {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

const backlogQuery = (period: string, trust: string) =>
  `/backlog?period=${period}${trust === 'ALL' ? '' : `&trust=${trust}`}`;

export function backlogAlerts(
  contributions: readonly PerformanceContribution[],
  period: string,
  config: AllianceConfig,
): Alert[] {
  const rules = config.rules.alerts.backlogGrowth;
  const now = backlogTotals(contributions, period);
  const previous = backlogTotals(contributions, previousPeriod(period));
  const alerts: Alert[] = [];

  for (const [trust, totals] of Object.entries(now)) {
    const over104 = totals.bands['>104'];
    if (over104 > 0) {
      alerts.push({
        kind: 'over-104-days',
        period,
        trust,
        standard: null,
        key: `over-104#${trust}`,
        fingerprint: String(over104),
        subject: subjectLine(
          `Patients waiting over 104 days: ${trust} ${period}: ${over104} (backlog ${totals.total})`,
        ),
        message: {
          type: 'over-104-days',
          trust,
          trustName: scopeName(config, trust),
          period,
          figures: { over104Days: over104, openPathways: totals.total, bands: totals.bands },
          threshold: 104,
          query: backlogQuery(period, trust),
        },
      });
    }
    const current = overSixtyTwo(totals);
    const earlier =
      previous[trust] && previous[trust].total > 0 ? overSixtyTwo(previous[trust]) : null;
    if (earlier === null) continue;
    const increase = current - earlier;
    if (increase >= rules.minIncrease && increase >= earlier * rules.minRelativeIncrease) {
      alerts.push({
        kind: 'backlog-growth',
        period,
        trust,
        standard: null,
        key: `backlog-growth#${trust}`,
        fingerprint: `${earlier}->${current}`,
        subject: subjectLine(
          `62-day backlog growing: ${trust} ${period}: ${current} waiting over 62 days (was ${earlier})`,
        ),
        message: {
          type: 'backlog-growth',
          trust,
          trustName: scopeName(config, trust),
          period,
          figures: { over62Days: current, previousOver62Days: earlier, increase },
          threshold: {
            minIncrease: rules.minIncrease,
            minRelativeIncrease: rules.minRelativeIncrease,
          },
          query: backlogQuery(period, trust),
        },
      });
    }
  }
  return alerts;
}
