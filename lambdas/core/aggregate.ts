import {
  BACKLOG_BANDS,
  type BacklogBand,
  backlogBand,
  backlogCellGroup,
  backlogWait,
} from './backlog';
import { STANDARDS, STORED_STANDARDS, type Standard, type StoredStandard } from './config';
import {
  ALL,
  DIMENSIONS,
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

/** Stored standards by index: cells are addressed by small integers while summing. */
const STANDARD_INDEX: ReadonlyMap<string, number> = new Map(
  STORED_STANDARDS.map((standard, index) => [standard, index]),
);
const STANDARD_COUNT = STORED_STANDARDS.length;
const BACKLOG = STORED_STANDARDS.indexOf('backlog');
/** Dimension slots: 0 is the headline (`all`), then every breakdown dimension. */
const DIMENSION_SLOTS: readonly string[] = [ALL, ...DIMENSIONS];
const SLOT_COUNT = DIMENSION_SLOTS.length;
/** Cancer type has two readings (suspected, treated); the treated one is kept in this slot. */
const TREATED_TYPE_SLOT = SLOT_COUNT;
/** Per stored standard, the slots its cells are summed into: headline first, then `dimensionsFor`. */
const SLOTS_OF: readonly Int32Array[] = STORED_STANDARDS.map((standard) =>
  Int32Array.from([ALL, ...dimensionsFor(standard)], (dimension) =>
    dimension === 'cancerType' && !SUSPECTED_TYPE_STANDARDS.has(standard)
      ? TREATED_TYPE_SLOT
      : DIMENSION_SLOTS.indexOf(dimension),
  ),
);
const SLOT_DIMENSION: readonly string[] = [...DIMENSION_SLOTS, 'cancerType'];
const BAND_INDEX: ReadonlyMap<string, number> = new Map(
  BACKLOG_BANDS.map((band, index) => [band, index]),
);

/** Interns strings to small consecutive integers, so sums are addressed without string keys. */
class Interner {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  // Consecutive lookups are mostly of the same name (a record's allocations are to one trust),
  // so the last answer is checked before the map.
  private lastName: string | undefined;
  private lastId = -1;
  id(name: string): number {
    if (name === this.lastName) return this.lastId;
    const id = this.lookup(name);
    this.lastName = name;
    this.lastId = id;
    return id;
  }
  private lookup(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
}

/**
 * Sums enriched records into a partial aggregate for one reporting month. Only outcomes whose
 * clock stopped in `period` count; every allocation adds its weights to the headline cell and to
 * one cell per breakdown dimension of its standard. Open pathways count in the backlog at the
 * period end, in their wait band (see lambdas/core/backlog.ts for the cell layout).
 *
 * This runs for every record of every upload, so it avoids per-record garbage: trusts and
 * groups are interned to integers once, each cell is a slot in two growable Float64Arrays, found
 * through integer-indexed tables, and the `standard|dimension|trust|group` keys are built in
 * `result()` only. Each cell receives the same additions in the same order as a keyed map would,
 * so the sums (0.5 weights included) are bit-for-bit those of the straightforward version.
 */
export function createAccumulator(
  submissionId: string,
  period: string,
  labels: LabelTables = DEFAULT_LABELS,
): Accumulator {
  const counted = emptyCounted();
  const warnings: Record<string, number> = {};
  const exceptions: RecordException[] = [];
  let records = 0;

  const trusts = new Interner();
  /** Group names per slot (the treated-cancer-type slot included). */
  const groups = SLOT_DIMENSION.map(() => new Interner());
  /** Per slot, band × group id → the id of the stored backlog group `${band}|${group}`. */
  const backlogGroups: number[][] = SLOT_DIMENSION.map(() => []);
  /** (trust × standard × slot) → group id → cell slot + 1 (0: no cell yet). */
  const tables: Int32Array[] = [];
  let cellCount = 0;
  let within = new Float64Array(1024);
  let total = new Float64Array(1024);
  /** Per cell: standard, slot, trust, group (to build its key in `result()`). */
  let cellKeys = new Int32Array(4096);

  // This record's group id in every slot; -1 until the record needs it.
  const recordGroups = new Int32Array(SLOT_DIMENSION.length);
  const allGroup = groups[0]?.id(ALL) ?? 0;

  const cellOf = (standard: number, slot: number, trust: number, group: number): number => {
    const tableIndex = (trust * STANDARD_COUNT + standard) * SLOT_DIMENSION.length + slot;
    let table = tables[tableIndex];
    if (table === undefined || group >= table.length) {
      const grown = new Int32Array(Math.max(8, group + 1, (table?.length ?? 0) * 2));
      if (table) grown.set(table);
      tables[tableIndex] = grown;
      table = grown;
    }
    const found = table[group] ?? 0;
    if (found !== 0) return found - 1;
    const cell = cellCount;
    cellCount += 1;
    if (cell === within.length) {
      const grownWithin = new Float64Array(cell * 2);
      grownWithin.set(within);
      within = grownWithin;
      const grownTotal = new Float64Array(cell * 2);
      grownTotal.set(total);
      total = grownTotal;
      const grownKeys = new Int32Array(cell * 8);
      grownKeys.set(cellKeys);
      cellKeys = grownKeys;
    }
    cellKeys[cell * 4] = standard;
    cellKeys[cell * 4 + 1] = slot;
    cellKeys[cell * 4 + 2] = trust;
    cellKeys[cell * 4 + 3] = group;
    table[group] = cell + 1;
    return cell;
  };

  const addTo = (cell: number, w: number, t: number) => {
    within[cell] = (within[cell] ?? 0) + w;
    total[cell] = (total[cell] ?? 0) + t;
  };

  /** The record's group id in a slot, interned on first use for this record. */
  const groupIn = (enriched: EnrichedRecord, slot: number): number => {
    const known = recordGroups[slot] ?? -1;
    if (known >= 0) return known;
    const interner = groups[slot] as Interner;
    const id =
      slot === 0
        ? allGroup
        : slot === TREATED_TYPE_SLOT
          ? interner.id(enriched.treatedCancerType)
          : interner.id(groupOf(enriched, DIMENSION_SLOTS[slot] as Dimension, 'fds', labels));
    recordGroups[slot] = id;
    return id;
  };

  /** The stored backlog group `${band}|${group}` of a slot's group, interned once per pair. */
  const backlogGroupIn = (slot: number, band: BacklogBand, group: number): number => {
    const bandIndex = BAND_INDEX.get(band) ?? 0;
    const pairs = backlogGroups[slot] as number[];
    const pair = group * BACKLOG_BANDS.length + bandIndex;
    let id = pairs[pair];
    if (id === undefined) {
      const interner = groups[slot] as Interner;
      id = interner.id(backlogCellGroup(band, interner.names[group] ?? ''));
      pairs[pair] = id;
    }
    return id;
  };

  return {
    add(enriched) {
      records += 1;
      recordGroups.fill(-1);
      for (const outcome of enriched.outcomes) {
        if (outcome.month !== period) continue;
        if (HEADLINE.has(outcome.standard)) counted[outcome.standard as Standard] += 1;
        const standard = STANDARD_INDEX.get(outcome.standard);
        if (standard === undefined) {
          throw new PartialMismatchError(`Unknown standard ${outcome.standard} in a record.`);
        }
        const slots = SLOTS_OF[standard] as Int32Array;
        for (const allocation of outcome.allocations) {
          const w = allocation.within;
          const t = allocation.total;
          // A zero-weight allocation carries no figures; skipping it keeps empty cells out.
          if (w === 0 && t === 0) continue;
          const trust = trusts.id(allocation.trust);
          for (const slot of slots) {
            addTo(cellOf(standard, slot, trust, groupIn(enriched, slot)), w, t);
          }
        }
      }
      const open = enriched.openPathway;
      if (open) {
        const band = backlogBand(backlogWait(open, period));
        const trust = trusts.id(open.trust);
        for (const slot of SLOTS_OF[BACKLOG] as Int32Array) {
          const group = backlogGroupIn(slot, band, groupIn(enriched, slot));
          addTo(cellOf(BACKLOG, slot, trust, group), 0, 1);
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
      // Keys in the order cells were first touched, as the keyed map had them.
      const snapshot: Record<string, [number, number]> = {};
      for (let cell = 0; cell < cellCount; cell += 1) {
        const slot = cellKeys[cell * 4 + 1] ?? 0;
        const standard = STORED_STANDARDS[cellKeys[cell * 4] ?? 0];
        const trust = trusts.names[cellKeys[cell * 4 + 2] ?? 0];
        const group = groups[slot]?.names[cellKeys[cell * 4 + 3] ?? 0];
        snapshot[`${standard}|${SLOT_DIMENSION[slot]}|${trust}|${group}`] = [
          within[cell] ?? 0,
          total[cell] ?? 0,
        ];
      }
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
