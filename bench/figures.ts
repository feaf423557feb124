import type { PartialAggregate } from '../lambdas/core/enriched';

/**
 * The figures both engines compute, for checking they did the same work: within/total of FDS,
 * 31-day and 62-day (all to the treating trust, the allocation plain SQL can express) by trust
 * and IMD quintile, for the file's month.
 */
export interface QuintileFigure {
  readonly standard: 'fds' | '31d' | '62d';
  readonly trust: string;
  /** `1`–`5`, or `unknown` when the postcode has no IMD. */
  readonly quintile: string;
  readonly within: number;
  readonly total: number;
}

const FROM_STORED: Readonly<Record<string, QuintileFigure['standard']>> = {
  fds: 'fds',
  '31d': '31d',
  '62d-treating': '62d',
};

export function quintileFigures(partial: PartialAggregate): QuintileFigure[] {
  const figures: QuintileFigure[] = [];
  for (const [key, [within, total]] of Object.entries(partial.cells)) {
    const [stored, dimension, trust, quintile] = key.split('|');
    const standard = FROM_STORED[stored ?? ''];
    if (!standard || dimension !== 'imdQuintile' || !trust || !quintile) continue;
    figures.push({ standard, trust, quintile, within, total });
  }
  return sortFigures(figures);
}

export function sortFigures(figures: QuintileFigure[]): QuintileFigure[] {
  const key = (f: QuintileFigure) => `${f.standard}|${f.trust}|${f.quintile}`;
  return figures.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** How many figures differ between the two engines (0 when they agree exactly). */
export function figureDifferences(ours: QuintileFigure[], theirs: QuintileFigure[]): number {
  const index = new Map(ours.map((f) => [`${f.standard}|${f.trust}|${f.quintile}`, f]));
  let differences = 0;
  for (const figure of theirs) {
    const mine = index.get(`${figure.standard}|${figure.trust}|${figure.quintile}`);
    if (!mine || mine.within !== figure.within || mine.total !== figure.total) differences += 1;
    index.delete(`${figure.standard}|${figure.trust}|${figure.quintile}`);
  }
  return differences + index.size;
}
