import { normaliseCode, normaliseEthnicCategory } from './codes';
import { periodsBetween } from './periods';
import {
  CODED_QUALITY_ITEMS,
  type CodedQualityItem,
  QUALITY_ITEMS,
  type QualityItem,
  type QualityRules,
} from './quality-config';
import type { ColumnName } from './record';
import { type SubmissionDeadlineRule, submissionDeadline } from './submission-deadlines';
import type { ColumnIndex, RecordIssue } from './validate';

/**
 * Data-quality scorecard in the shape of the NHS Data Quality Maturity Index (domain brief §7):
 * per item completeness, validity and default-code overuse, combined with coverage of expected
 * submissions. Two halves:
 *
 * 1. {@link QualityAccumulator} counts, during intake, over every data row the trust sent (valid
 *    and invalid rows alike). "Valid" means the validator raised no issue on the item's field,
 *    so the scorecard applies exactly the upload contract's checks (NHS number Modulus 11,
 *    BS7666 postcode, code sets, dates, pathway date order) without a second implementation.
 *    Only counts leave it, never a value.
 * 2. {@link buildScorecard} turns the stored counts of each trust's current submission into
 *    scores, coverage and a trend.
 *
 * Reading of the DQMI formula. The brief writes `item_score = (valid_and_complete −
 * defaults_in_excess) / records × 100` and `DQMI = mean(item_score) × mean(coverage) × 100`;
 * applying ×100 twice would give 0–10 000. Here item scores are percentages (0–100) and coverage
 * is a share (0–1), so `DQMI = mean(item_score) × coverage` is a 0–100 score: a trust that sent
 * every expected month with perfect items scores 100.
 */

/** Counts for one item over one submission. `valid` ⊆ `complete` ⊆ `records`; `defaults` ⊆ `valid`. */
export interface ItemCounts {
  /** Rows the item applies to (see {@link APPLIES_WHEN}). */
  readonly records: number;
  /** Of those, rows where the cell is not blank. */
  readonly complete: number;
  /** Of those, rows where the validator raised no error or warning on the item. */
  readonly valid: number;
  /** Of those, rows carrying one of the item's default ("not known") codes. */
  readonly defaults: number;
}

/** What intake stores with a submission: counts only. */
export interface QualityCounts {
  /** Layout of the counts; a later change to the items or their rules bumps it. */
  readonly version: 1;
  /** Data rows read (valid and invalid). */
  readonly rows: number;
  readonly items: Readonly<Partial<Record<QualityItem, ItemCounts>>>;
}

/**
 * Items that only apply once the pathway has reached a stage: a treatment modality is expected
 * where a treatment date is given, not on an open pathway. A pathway-stage date applies to itself
 * (it is assessed for validity where given; a blank there is not missing data). Items not listed
 * apply to every row.
 */
export const APPLIES_WHEN: Readonly<Partial<Record<QualityItem, ColumnName>>> = {
  date_first_seen: 'date_first_seen',
  org_first_seen: 'date_first_seen',
  fds_end_date: 'fds_end_date',
  fds_end_reason: 'fds_end_date',
  org_fds_end: 'fds_end_date',
  decision_to_treat_date: 'treatment_start_date',
  treatment_start_date: 'treatment_start_date',
  treatment_event_type: 'treatment_start_date',
  treatment_modality: 'treatment_start_date',
  org_treatment_start: 'treatment_start_date',
  primary_diagnosis_icd10: 'treatment_start_date',
};

/** How a coded item's cell is normalised before comparing with its default codes (as validateRow does). */
const CODE_WIDTH: Readonly<Record<CodedQualityItem, 1 | 2 | 'ethnic'>> = {
  person_stated_gender_code: 1,
  ethnic_category: 'ethnic',
  priority_type: 1,
  source_of_referral: 2,
  cancer_referral_type: 2,
  fds_end_reason: 2,
  treatment_event_type: 2,
  treatment_modality: 2,
};

const ALWAYS = -1;
const NEVER = -2;
const NO_ISSUES: readonly RecordIssue[] = [];
/** Distinct raw cells remembered per coded item; a coded column has a few dozen at most. */
const MAX_CACHED_CELLS = 256;

/**
 * A cell with something in it, as the validator's `trim() !== ''` sees it. Printable ASCII first
 * is the usual case and needs no trimmed copy.
 */
function isFilled(cell: string | undefined): boolean {
  if (cell === undefined || cell.length === 0) return false;
  const first = cell.charCodeAt(0);
  if (first > 32 && first < 127) return true;
  return cell.trim() !== '';
}

/**
 * Counts one submission's data quality, row by row. Built once per file with the file's column
 * positions; `add` allocates nothing for a clean row (counters are typed arrays, the per-row
 * "issue on this item" set is a bit mask).
 */
export class QualityAccumulator {
  private rows = 0;
  private readonly column: Int32Array;
  private readonly trigger: Int32Array;
  private readonly records: Float64Array;
  private readonly complete: Float64Array;
  private readonly valid: Float64Array;
  private readonly defaults: Float64Array;
  private readonly defaultCodes: Array<ReadonlySet<string> | null>;
  private readonly width: Array<1 | 2 | 'ethnic' | null>;
  /** Raw cell → is it a default code, per item: spares normalising the same few cells per row. */
  private readonly isDefaultCell: Array<Map<string, boolean>>;
  private readonly bitOfField: ReadonlyMap<string, number>;

  constructor(columns: ColumnIndex, rules: QualityRules) {
    const n = QUALITY_ITEMS.length;
    this.column = new Int32Array(n);
    this.trigger = new Int32Array(n);
    this.records = new Float64Array(n);
    this.complete = new Float64Array(n);
    this.valid = new Float64Array(n);
    this.defaults = new Float64Array(n);
    this.defaultCodes = [];
    this.width = [];
    this.isDefaultCell = [];
    const bits = new Map<string, number>();
    QUALITY_ITEMS.forEach((item, i) => {
      this.column[i] = columns[item] ?? -1;
      const when = APPLIES_WHEN[item];
      this.trigger[i] = when === undefined ? ALWAYS : (columns[when] ?? NEVER);
      const width = (CODED_QUALITY_ITEMS as readonly string[]).includes(item)
        ? CODE_WIDTH[item as CodedQualityItem]
        : null;
      this.width.push(width);
      const codes = width === null ? undefined : rules.defaultCodes[item as CodedQualityItem];
      this.defaultCodes.push(
        codes && codes.length > 0 && width !== null
          ? new Set(codes.map((code) => normalise(code, width)))
          : null,
      );
      this.isDefaultCell.push(new Map());
      bits.set(item, 1 << i);
    });
    this.bitOfField = bits;
  }

  /**
   * Counts one data row: its cells and the issues the validator raised on it (errors are empty
   * for a valid row).
   */
  add(
    cells: readonly string[],
    errors: readonly RecordIssue[] = NO_ISSUES,
    warnings: readonly RecordIssue[] = NO_ISSUES,
  ): void {
    this.rows += 1;
    let flagged = 0;
    for (let k = 0; k < errors.length; k += 1) flagged |= this.bitOf(errors[k]?.field);
    for (let k = 0; k < warnings.length; k += 1) flagged |= this.bitOf(warnings[k]?.field);
    for (let i = 0; i < QUALITY_ITEMS.length; i += 1) {
      const trigger = this.trigger[i] as number;
      if (trigger === NEVER || (trigger !== ALWAYS && !isFilled(cells[trigger]))) continue;
      this.records[i] = (this.records[i] as number) + 1;
      const column = this.column[i] as number;
      const cell = column < 0 ? undefined : cells[column];
      if (!isFilled(cell)) continue;
      this.complete[i] = (this.complete[i] as number) + 1;
      if ((flagged & (1 << i)) !== 0) continue;
      this.valid[i] = (this.valid[i] as number) + 1;
      if (this.defaultCodes[i] !== null && this.isDefault(i, cell as string)) {
        this.defaults[i] = (this.defaults[i] as number) + 1;
      }
    }
  }

  private isDefault(i: number, cell: string): boolean {
    const cache = this.isDefaultCell[i] as Map<string, boolean>;
    const known = cache.get(cell);
    if (known !== undefined) return known;
    const codes = this.defaultCodes[i];
    const width = this.width[i];
    const result = Boolean(codes && width && codes.has(normalise(cell, width)));
    if (cache.size < MAX_CACHED_CELLS) cache.set(cell, result);
    return result;
  }

  counts(): QualityCounts {
    const items: Partial<Record<QualityItem, ItemCounts>> = {};
    QUALITY_ITEMS.forEach((item, i) => {
      items[item] = {
        records: this.records[i] as number,
        complete: this.complete[i] as number,
        valid: this.valid[i] as number,
        defaults: this.defaults[i] as number,
      };
    });
    return { version: 1, rows: this.rows, items };
  }

  private bitOf(field: string | null | undefined): number {
    return field ? (this.bitOfField.get(field) ?? 0) : 0;
  }
}

function normalise(value: string, width: 1 | 2 | 'ethnic'): string {
  return width === 'ethnic' ? normaliseEthnicCategory(value) : normaliseCode(value, width);
}

// ---------------------------------------------------------------------------------------------
// Scores

/** One item of one submission, as the scorecard shows it. Percentages have one decimal. */
export interface ItemScore {
  readonly item: QualityItem;
  readonly records: number;
  readonly complete: number;
  readonly valid: number;
  readonly defaults: number;
  /** complete / records. */
  readonly completenessPct: number | null;
  /** valid / complete: how many of the values given pass the upload contract's checks. */
  readonly validityPct: number | null;
  /** defaults / records. */
  readonly defaultSharePct: number | null;
  /** The share of records allowed a default code before the excess counts against the item. */
  readonly defaultThresholdPct: number;
  /** max(0, defaults − threshold × records). */
  readonly defaultsInExcess: number;
  /** (valid − defaultsInExcess) / records × 100; null when the item applied to no record. */
  readonly score: number | null;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function pct(part: number, whole: number): number | null {
  return whole > 0 ? round1((part / whole) * 100) : null;
}

/** The DQMI item score, unrounded: (valid_and_complete − defaults_in_excess) / records × 100. */
export function rawItemScore(counts: ItemCounts, threshold: number): number | null {
  if (counts.records === 0) return null;
  const excess = Math.max(0, counts.defaults - threshold * counts.records);
  return ((counts.valid - excess) / counts.records) * 100;
}

/**
 * Every item's figures and the mean item score (unrounded, for the DQMI). Items that applied to
 * no record (e.g. treatment items in a file of open pathways) are shown but left out of the mean.
 */
export function scoreItems(
  counts: QualityCounts,
  rules: QualityRules,
): { items: ItemScore[]; meanItemScore: number | null } {
  const items: ItemScore[] = [];
  let sum = 0;
  let scored = 0;
  for (const item of QUALITY_ITEMS) {
    const c = counts.items[item] ?? { records: 0, complete: 0, valid: 0, defaults: 0 };
    const threshold = rules.defaultThresholds[item] ?? 0;
    const raw = rawItemScore(c, threshold);
    if (raw !== null) {
      sum += raw;
      scored += 1;
    }
    items.push({
      item,
      records: c.records,
      complete: c.complete,
      valid: c.valid,
      defaults: c.defaults,
      completenessPct: pct(c.complete, c.records),
      validityPct: pct(c.valid, c.complete),
      defaultSharePct: pct(c.defaults, c.records),
      defaultThresholdPct: round1(threshold * 100),
      defaultsInExcess: round1(Math.max(0, c.defaults - threshold * c.records)),
      score: raw === null ? null : round1(raw),
    });
  }
  return { items, meanItemScore: scored > 0 ? sum / scored : null };
}

// ---------------------------------------------------------------------------------------------
// Coverage, the scorecard and its trend

/** `period` moved by `months` (negative for earlier). */
export function shiftPeriod(period: string, months: number): string {
  const index = Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1 + months;
  const year = Math.floor(index / 12);
  return `${year}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every period the scorecard needs: the coverage window before `from`, then `from`…`to`. */
export function scorecardPeriods(from: string, to: string, rules: QualityRules): string[] {
  return periodsBetween(shiftPeriod(from, -(rules.coverageMonths - 1)), to);
}

export type PeriodStatus = 'received' | 'missing' | 'not-expected';

export interface PeriodQuality {
  readonly period: string;
  /**
   * `received`: an accepted current submission; `missing`: expected (due date passed, on or after
   * the trust's first expected month) but none accepted; `not-expected`: not yet due, or before it.
   */
  readonly status: PeriodStatus;
  readonly submissionId: string | null;
  /** Data rows in the scored submission (valid and invalid). */
  readonly records: number | null;
  readonly items: readonly ItemScore[];
  /** Mean of the item scores (0–100). */
  readonly itemScore: number | null;
  readonly coverage: {
    /** Periods in the window ending here that the trust was expected to submit. */
    readonly expected: number;
    readonly received: number;
    /** received / expected, a share (0–1); null when nothing was expected. */
    readonly share: number | null;
    readonly from: string;
    readonly to: string;
  };
  /** itemScore × coverage share (0–100); null without a scored submission. */
  readonly dqmi: number | null;
  readonly belowMinimum: boolean | null;
  /** dqmi minus the previous month's; null unless both months are scored. */
  readonly change: number | null;
}

export interface TrustQuality {
  readonly trust: string;
  readonly periods: readonly PeriodQuality[];
  /** First and last scored months of the range and the change between them. */
  readonly trend: {
    readonly first: { period: string; dqmi: number } | null;
    readonly last: { period: string; dqmi: number } | null;
    readonly change: number | null;
    readonly direction: 'improving' | 'worsening' | 'stable' | null;
  };
}

/** A trust's current accepted submission for a period; `quality` null if stored before scoring existed. */
export interface ReceivedSubmission {
  readonly submissionId: string;
  readonly quality: QualityCounts | null;
}

export interface ScorecardInput {
  readonly trusts: readonly string[];
  readonly from: string;
  readonly to: string;
  /** Today as `YYYY-MM-DD` (UTC): a month is expected once its submission deadline has passed. */
  readonly today: string;
  /** Current submissions by trust and period, for every period of {@link scorecardPeriods}. */
  readonly received: ReadonlyMap<string, ReadonlyMap<string, ReceivedSubmission>>;
  /**
   * Each trust's earliest month with an accepted file, ever (absent: none). With no go-live
   * month configured, expected months begin there, so months missed before the window's first
   * file still count against coverage.
   */
  readonly firstAccepted: ReadonlyMap<string, string>;
  readonly quality: QualityRules;
  readonly deadline: SubmissionDeadlineRule;
}

/**
 * The scorecard per trust and month. Coverage for a month is the share of expected months
 * received in the `coverageMonths` window ending at it. A month is expected once its deadline
 * (`rules.alerts.submissionDeadline`) has passed and it is not before the go-live month
 * (`firstPeriod`) — or, with no go-live month configured, not before the trust's earliest
 * accepted file ever, so a trust is never marked down for months before it joined. A received
 * month always counts as expected.
 */
export function buildScorecard(input: ScorecardInput): TrustQuality[] {
  const range = periodsBetween(input.from, input.to);
  const empty: ReadonlyMap<string, ReceivedSubmission> = new Map();
  return input.trusts.map((trust) => {
    const received = input.received.get(trust) ?? empty;
    const start = input.deadline.firstPeriod ?? input.firstAccepted.get(trust) ?? null;
    const expected = (period: string) =>
      received.has(period) ||
      (start !== null &&
        period >= start &&
        submissionDeadline(period, input.deadline) < input.today);

    const periods: PeriodQuality[] = [];
    let previousDqmi: number | null = null;
    for (const period of range) {
      const window = periodsBetween(
        shiftPeriod(period, -(input.quality.coverageMonths - 1)),
        period,
      );
      let expectedCount = 0;
      let receivedCount = 0;
      for (const month of window) {
        if (!expected(month)) continue;
        expectedCount += 1;
        if (received.has(month)) receivedCount += 1;
      }
      const share = expectedCount > 0 ? receivedCount / expectedCount : null;
      const submission = received.get(period);
      const scored = submission?.quality ? scoreItems(submission.quality, input.quality) : null;
      const itemScore = scored?.meanItemScore ?? null;
      const dqmi = itemScore !== null && share !== null ? itemScore * share : null;
      periods.push({
        period,
        status: submission ? 'received' : expected(period) ? 'missing' : 'not-expected',
        submissionId: submission?.submissionId ?? null,
        records: submission?.quality?.rows ?? null,
        items: scored?.items ?? [],
        itemScore: itemScore === null ? null : round1(itemScore),
        coverage: {
          expected: expectedCount,
          received: receivedCount,
          share: share === null ? null : Math.round(share * 1000) / 1000,
          from: window[0] ?? period,
          to: period,
        },
        dqmi: dqmi === null ? null : round1(dqmi),
        belowMinimum: dqmi === null ? null : dqmi < input.quality.minScore,
        // the difference of the figures shown, so a reader can check it
        change: dqmi !== null && previousDqmi !== null ? round1(round1(dqmi) - previousDqmi) : null,
      });
      previousDqmi = dqmi === null ? null : round1(dqmi);
    }
    return { trust, periods, trend: trendOf(periods) };
  });
}

function trendOf(periods: readonly PeriodQuality[]): TrustQuality['trend'] {
  const scored = periods.filter((p): p is PeriodQuality & { dqmi: number } => p.dqmi !== null);
  const first = scored[0];
  const last = scored[scored.length - 1];
  if (!first || !last) return { first: null, last: null, change: null, direction: null };
  const change = round1(last.dqmi - first.dqmi);
  return {
    first: { period: first.period, dqmi: first.dqmi },
    last: { period: last.period, dqmi: last.dqmi },
    change: scored.length > 1 ? change : null,
    direction:
      scored.length < 2 ? null : change > 0 ? 'improving' : change < 0 ? 'worsening' : 'stable',
  };
}
