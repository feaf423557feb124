import { backlogBand, backlogCellGroup, backlogWait } from './backlog';
import { STANDARDS, STORED_STANDARDS, type Standard, type StoredStandard } from './config';
import {
  ALL,
  type Dimension,
  dimensionsFor,
  type EnrichedRecord,
  type PartialAggregate,
  type RecordException,
} from './enriched';
import { PlatformError } from './errors';
import { DEFAULT_LABELS, type LabelTables, NOT_KNOWN, routeLabel } from './labels';

/**
 * A stored cell: one breakdown group's sums for one trust. `dimension` is a `Dimension` or `all`
 * (headline, group `all`); typed as string because stored items are read back as plain JSON.
 */
export type StoredCell = [
  dimension: string,
  trust: string,
  group: string,
  within: number,
  total: number,
];

export const UNKNOWN_GROUP = 'unknown';

/** Partials of different submissions or months were handed to one merge: a wiring fault. */
export class PartialMismatchError extends PlatformError {
  constructor(message: string) {
    super('PARTIAL_MISMATCH', message, 500);
    this.name = 'PartialMismatchError';
  }
}

function emptyCounted(): Record<Standard, number> {
  return { fds: 0, '31d': 0, '62d': 0 };
}

const HEADLINE: ReadonlySet<string> = new Set(STANDARDS);

/** Standards whose cancer type is what was suspected: nothing has been treated (yet). */
const SUSPECTED_TYPE_STANDARDS: ReadonlySet<StoredStandard> = new Set<StoredStandard>([
  'fds',
  'backlog',
]);

/** The record's group in a breakdown dimension for one standard. */
export function groupOf(
  record: EnrichedRecord,
  dimension: Dimension,
  standard: StoredStandard,
  labels: LabelTables = DEFAULT_LABELS,
): string {
  switch (dimension) {
    case 'imdQuintile':
      return record.imdQuintile === null ? UNKNOWN_GROUP : String(record.imdQuintile);
    case 'imdDecile':
      return record.imdDecile === null ? UNKNOWN_GROUP : String(record.imdDecile);
    case 'core20':
      return record.core20 === null ? UNKNOWN_GROUP : record.core20 ? 'core20' : 'other';
    case 'ethnicity':
      return record.ethnicGroup;
    case 'ageBand':
      return record.ageBand;
    case 'sex':
      return record.sex;
    case 'place':
      return record.place;
    case 'route':
      return routeLabel(record.route, labels);
    case 'cancerType':
      // FDS (and the open backlog) by what was suspected; the treatment standards by what was
      // treated.
      return SUSPECTED_TYPE_STANDARDS.has(standard)
        ? record.suspectedCancerType
        : record.treatedCancerType;
    case 'modality':
      return record.modalityGroup ?? NOT_KNOWN;
  }
}

export interface Accumulator {
  add(enriched: EnrichedRecord): void;
  /** Counts `count` (default 1) occurrences of an enrichment warning. */
  addWarning(code: string, count?: number): void;
  /** Lists record-level data-quality exceptions for the submission report. */
  addExceptions(exceptions: readonly RecordException[]): void;
  result(): PartialAggregate;
}

/**
 * Sums enriched records into a partial aggregate for one reporting month. Only outcomes whose
 * clock stopped in `period` count; every allocation adds its weights to the headline cell and to
 * one cell per breakdown dimension of its standard. Open pathways count in the backlog at the
 * period end, in their wait band (see lambdas/core/backlog.ts for the cell layout).
 */
export function createAccumulator(
  submissionId: string,
  period: string,
  labels: LabelTables = DEFAULT_LABELS,
): Accumulator {
  const cells = new Map<string, [number, number]>();
  const counted = emptyCounted();
  const warnings: Record<string, number> = {};
  const exceptions: RecordException[] = [];
  let records = 0;

  const addTo = (key: string, within: number, total: number) => {
    const cell = cells.get(key);
    if (cell) {
      cell[0] += within;
      cell[1] += total;
    } else cells.set(key, [within, total]);
  };

  return {
    add(enriched) {
      records += 1;
      for (const outcome of enriched.outcomes) {
        if (outcome.month !== period) continue;
        if (HEADLINE.has(outcome.standard)) counted[outcome.standard as Standard] += 1;
        const groups = dimensionsFor(outcome.standard).map(
          (dimension) =>
            [dimension, groupOf(enriched, dimension, outcome.standard, labels)] as const,
        );
        for (const { trust, within, total } of outcome.allocations) {
          // A zero-weight allocation carries no figures; skipping it keeps empty cells out.
          if (within === 0 && total === 0) continue;
          addTo(`${outcome.standard}|${ALL}|${trust}|${ALL}`, within, total);
          for (const [dimension, group] of groups) {
            addTo(`${outcome.standard}|${dimension}|${trust}|${group}`, within, total);
          }
        }
      }
      const open = enriched.openPathway;
      if (open) {
        const band = backlogBand(backlogWait(open, period));
        addTo(`backlog|${ALL}|${open.trust}|${backlogCellGroup(band, ALL)}`, 0, 1);
        for (const dimension of dimensionsFor('backlog')) {
          const group = backlogCellGroup(band, groupOf(enriched, dimension, 'backlog', labels));
          addTo(`backlog|${dimension}|${open.trust}|${group}`, 0, 1);
        }
      }
    },
    addWarning(code, count = 1) {
      warnings[code] = (warnings[code] ?? 0) + count;
    },
    addExceptions(found) {
      exceptions.push(...found);
    },
    result() {
      const snapshot: Record<string, [number, number]> = {};
      for (const [key, [within, total]] of cells) snapshot[key] = [within, total];
      return {
        version: 1,
        submissionId,
        period,
        records,
        counted: { ...counted },
        warnings: { ...warnings },
        cells: snapshot,
        ...(exceptions.length > 0 ? { exceptions: [...exceptions] } : {}),
      };
    },
  };
}

function addCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const sum: Record<string, number> = { ...a };
  for (const [key, value] of Object.entries(b)) sum[key] = (sum[key] ?? 0) + value;
  return sum;
}

/** Merges two chunks' partials of the same submission and month by plain addition. */
export function mergePartials(a: PartialAggregate, b: PartialAggregate): PartialAggregate {
  if (a.version !== b.version || a.submissionId !== b.submissionId || a.period !== b.period) {
    throw new PartialMismatchError(
      `Cannot merge partials of ${a.submissionId}/${a.period} and ${b.submissionId}/${b.period}.`,
    );
  }
  const cells: Record<string, [number, number]> = {};
  for (const [key, [within, total]] of Object.entries(a.cells)) cells[key] = [within, total];
  for (const [key, [within, total]] of Object.entries(b.cells)) {
    const cell = cells[key];
    if (cell) cells[key] = [cell[0] + within, cell[1] + total];
    else cells[key] = [within, total];
  }
  const counted = emptyCounted();
  for (const standard of STANDARDS) counted[standard] = a.counted[standard] + b.counted[standard];
  // By row, so the merged list is the same whatever order the chunks are merged in.
  const exceptions = [...(a.exceptions ?? []), ...(b.exceptions ?? [])].sort(
    (x, y) => x.row - y.row,
  );
  return {
    version: 1,
    submissionId: a.submissionId,
    period: a.period,
    records: a.records + b.records,
    counted,
    warnings: addCounts(a.warnings, b.warnings),
    cells,
    ...(exceptions.length > 0 ? { exceptions } : {}),
  };
}

const compareText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * A partial's cells as compact per-standard lists `[dimension, trust, group, within, total]`, in a
 * stable order, for storage (one item per stored standard, each submission's kept apart).
 */
export function cellsByStandard(partial: PartialAggregate): Record<StoredStandard, StoredCell[]> {
  const byStandard = Object.fromEntries(STORED_STANDARDS.map((s) => [s, []])) as unknown as Record<
    StoredStandard,
    StoredCell[]
  >;
  for (const [key, [within, total]] of Object.entries(partial.cells)) {
    const [standard, dimension, trust, ...rest] = key.split('|');
    const list = byStandard[standard as StoredStandard];
    if (!list || dimension === undefined || trust === undefined) continue;
    list.push([dimension, trust, rest.join('|'), within, total]);
  }
  for (const standard of STORED_STANDARDS) {
    byStandard[standard].sort(
      (x, y) => compareText(x[0], y[0]) || compareText(x[1], y[1]) || compareText(x[2], y[2]),
    );
  }
  return byStandard;
}
