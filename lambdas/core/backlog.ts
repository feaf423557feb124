import type { AllianceConfig } from './config';
import { formatDay, monthEnd } from './dates';
import { ALL, type Dimension } from './enriched';
import type { Route } from './outcomes';
import {
  ALL_TRUSTS,
  compareReportRows,
  configuredTrusts,
  type Disclosure,
  isSuppressed,
  type PerformanceContribution,
  sumCells,
} from './performance';
import type { DayNumber, PathwayRecord } from './record';
import { D62_ROUTES, sixtyTwoDayStart } from './standards';
import { suppressCount } from './suppression';

/**
 * The 62-day backlog (domain brief §2.5, §3): pathways still open at the end of the reporting
 * month in each trust's current submission, counted in the national PTL time bands. A pathway is
 * open when
 * - it is on a 62-day route (urgent suspected cancer, breast symptomatic, screening, consultant
 *   upgrade);
 * - its patient status says so: 14 suspected primary cancer, 09 under investigation after a
 *   breast symptomatic referral, 10 diagnosed – treatment not yet planned, 11 diagnosed –
 *   treatment planned (a record without a status is not counted: nothing says it is open);
 * - it has no treatment start date;
 * - cancer has not been ruled out: FDS end reason 02 or 04 closes the pathway even when the
 *   status was not updated (the safer reading of contradictory data for a count of waiters).
 * The wait is period end − clock start − adjustments (first-seen, except for upgrades, plus any
 * treatment adjustment), the same clock as the 62-day standard.
 *
 * Storage: the stored id `backlog`, one cell per trust × band (× breakdown group), in the usual
 * `[dimension, trust, group, within, total]` form with group = `${band}|${group}` (`all` for the
 * headline), `total` = patients and `within` unused (0). Bands never contain `|`, so the first
 * `|` splits them from the group.
 */

export const BACKLOG_BANDS = ['0-28', '29-62', '63-104', '>104'] as const;
export type BacklogBand = (typeof BACKLOG_BANDS)[number];

/** CANCER OR SYMPTOMATIC BREAST REFERRAL PATIENT STATUS codes of an open 62-day pathway. */
export const OPEN_PATIENT_STATUSES: ReadonlySet<string> = new Set(['14', '09', '10', '11']);
/** FDS end reasons that rule cancer out: 02, and 04 (ruled out with surveillance). */
export const RULED_OUT_FDS_END_REASONS: ReadonlySet<string> = new Set(['02', '04']);

/** What the backlog needs of an open pathway: whose list it is on and its 62-day clock. */
export interface OpenPathway {
  /** The submitting trust: the backlog is each trust's own patient tracking list. */
  readonly trust: string;
  readonly clockStart: DayNumber;
  readonly adjustmentDays: number;
}

export function openPathway(
  record: PathwayRecord,
  route: Route,
  submittingTrust: string,
): OpenPathway | null {
  if (!D62_ROUTES.has(route) || record.treatmentStart !== null) return null;
  if (record.patientStatus === null || !OPEN_PATIENT_STATUSES.has(record.patientStatus)) {
    return null;
  }
  if (record.fdsEndReason !== null && RULED_OUT_FDS_END_REASONS.has(record.fdsEndReason)) {
    return null;
  }
  const { clockStart, firstSeenAdjustment } = sixtyTwoDayStart(record, route);
  return {
    trust: submittingTrust,
    clockStart,
    adjustmentDays: firstSeenAdjustment + record.treatmentAdjustment,
  };
}

/** Days waited at the end of the period (YYYY-MM), net of adjustments. */
export function backlogWait(open: OpenPathway, period: string): number {
  return monthEnd(period) - open.clockStart - open.adjustmentDays;
}

/** The national PTL band of a wait: 0–28, 29–62, 63–104, more than 104 days. */
export function backlogBand(waitDays: number): BacklogBand {
  if (waitDays <= 28) return '0-28';
  if (waitDays <= 62) return '29-62';
  if (waitDays <= 104) return '63-104';
  return '>104';
}

/** Stored group of a backlog cell. */
export function backlogCellGroup(band: BacklogBand, group: string): string {
  return `${band}|${group}`;
}

const BAND_SET: ReadonlySet<string> = new Set(BACKLOG_BANDS);

function splitCellGroup(stored: string): { band: BacklogBand; group: string } | null {
  const bar = stored.indexOf('|');
  const band = bar < 0 ? '' : stored.slice(0, bar);
  if (!BAND_SET.has(band)) return null;
  return { band: band as BacklogBand, group: stored.slice(bar + 1) };
}

function zeroBands(): Record<BacklogBand, number> {
  return { '0-28': 0, '29-62': 0, '63-104': 0, '>104': 0 };
}

export interface BacklogTotals {
  readonly bands: Record<BacklogBand, number>;
  readonly total: number;
}

/**
 * Headline backlog per trust and for the alliance ('ALL') in one period, from the current
 * submissions' contributions (as AggregatesRepository.currentContributions returns them; other
 * standards and periods are ignored). A trust whose submission has no open pathway gets zeros
 * when its contribution names it (`submittingTrust`); 'ALL' is always present. Unrounded and
 * unsuppressed: for alerts and internal use, never for a breakdown leaving the platform.
 */
export function backlogTotals(
  contributions: readonly PerformanceContribution[],
  period: string,
): Record<string, BacklogTotals> {
  const bands: Record<string, Record<BacklogBand, number>> = { [ALL_TRUSTS]: zeroBands() };
  for (const contribution of contributions) {
    if (contribution.standard !== 'backlog' || contribution.period !== period) continue;
    if (contribution.submittingTrust) bands[contribution.submittingTrust] ??= zeroBands();
  }
  const sums = sumCells(contributions, {
    standard: 'backlog',
    from: period,
    to: period,
    dimension: ALL,
  });
  for (const sum of sums) {
    const cell = splitCellGroup(sum.group);
    if (!cell) continue;
    const trustBands = bands[sum.trust] ?? zeroBands();
    trustBands[cell.band] += sum.total;
    bands[sum.trust] = trustBands;
  }
  const totals: Record<string, BacklogTotals> = {};
  for (const [trust, trustBands] of Object.entries(bands)) {
    const total = BACKLOG_BANDS.reduce((sum, band) => sum + trustBands[band], 0);
    totals[trust] = { bands: trustBands, total };
  }
  return totals;
}

export interface BacklogInput {
  /** The snapshot month (YYYY-MM): waits are counted to its last day. */
  readonly period: string;
  /** Only this trust's rows (the alliance rows are still included). */
  readonly trust?: string;
  readonly by?: Dimension;
  readonly contributions: readonly PerformanceContribution[];
  readonly config: AllianceConfig;
  readonly disclosure: Disclosure;
}

export interface BacklogRow {
  readonly period: string;
  /** ODS trust code, or 'ALL' for the alliance. */
  readonly trust: string;
  /** Breakdown group; null on headline rows. */
  readonly group: string | null;
  readonly band: BacklogBand;
  /** Open pathways; null when suppressed. */
  readonly count: number | null;
  readonly suppressed?: true;
}

export interface BacklogResult {
  readonly period: string;
  /** The snapshot date (YYYY-MM-DD): the last day of the period. */
  readonly asAt: string;
  readonly by: Dimension | null;
  readonly bands: readonly BacklogBand[];
  readonly rows: BacklogRow[];
}

/**
 * The rows the backlog API returns: each trust with a current submission (and the alliance,
 * 'ALL') × band (× group when broken down), every band present (0 when empty). Only configured
 * trusts count. Breakdowns by a patient characteristic are suppressed as in /performance.
 */
export function buildBacklog(input: BacklogInput): BacklogResult {
  const { period, trust, by, config, disclosure } = input;
  const trusts = configuredTrusts(config);
  const counts = new Map<
    string,
    { trust: string; group: string | null; bands: Record<BacklogBand, number> }
  >();
  const entry = (rowTrust: string, group: string | null) => {
    const key = `${rowTrust}|${group ?? ''}`;
    let found = counts.get(key);
    if (!found) {
      found = { trust: rowTrust, group, bands: zeroBands() };
      counts.set(key, found);
    }
    return found;
  };

  if (!by) {
    // A trust that submitted but has nobody waiting shows zeros rather than nothing.
    const submitted = input.contributions.filter(
      (c) => c.standard === 'backlog' && c.period === period && c.submittingTrust,
    );
    for (const contribution of submitted) {
      const submitter = contribution.submittingTrust ?? '';
      if (!trusts.has(submitter)) continue;
      if (trust === undefined || submitter === trust) entry(submitter, null);
      entry(ALL_TRUSTS, null);
    }
  }
  const sums = sumCells(input.contributions, {
    standard: 'backlog',
    from: period,
    to: period,
    dimension: by ?? ALL,
    trust,
    trusts,
  });
  for (const sum of sums) {
    const cell = splitCellGroup(sum.group);
    if (!cell) continue;
    entry(sum.trust, by ? cell.group : null).bands[cell.band] += sum.total;
  }

  const suppress = isSuppressed(by, disclosure);
  const rows: BacklogRow[] = [];
  for (const { trust: rowTrust, group, bands } of counts.values()) {
    for (const band of BACKLOG_BANDS) {
      const count = suppress ? suppressCount(bands[band], config.rules.suppression) : bands[band];
      rows.push(
        count === null
          ? { period, trust: rowTrust, group, band, count: null, suppressed: true }
          : { period, trust: rowTrust, group, band, count },
      );
    }
  }
  rows.sort(
    (a, b) =>
      compareReportRows(a, b) || BACKLOG_BANDS.indexOf(a.band) - BACKLOG_BANDS.indexOf(b.band),
  );
  return {
    period,
    asAt: formatDay(monthEnd(period)),
    by: by ?? null,
    bands: BACKLOG_BANDS,
    rows,
  };
}
