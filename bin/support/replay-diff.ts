/**
 * The figures a replay can change, and the difference between two snapshots of them: per trust
 * (and the alliance, `ALL`) × standard the headline within / total / performance, and per trust
 * the 62-day backlog by band. Pure: the CLI fetches the snapshots and prints the result.
 */

export const REPLAY_STANDARDS = ['fds', '31d', '62d'] as const;

/** One headline figure as /performance returns it. */
export interface Figure {
  readonly within: number | null;
  readonly total: number | null;
  readonly performance: number | null;
}

/** What the CLI reads before and after a replay. */
export interface FigureSnapshot {
  /** `standard → trust → figure` (headline rows only). */
  readonly performance: Record<string, Record<string, Figure>>;
  /** `trust → band → open pathways` (headline rows only). */
  readonly backlog: Record<string, Record<string, number | null>>;
}

export interface FigureChange {
  readonly standard: string;
  readonly trust: string;
  readonly before: Figure | null;
  readonly after: Figure | null;
  readonly changed: boolean;
}

export interface BacklogChange {
  readonly trust: string;
  readonly band: string;
  readonly before: number | null;
  readonly after: number | null;
  readonly changed: boolean;
}

export interface ReplayDiff {
  readonly period: string;
  readonly trust: string | null;
  readonly figures: FigureChange[];
  readonly backlog: BacklogChange[];
  /** True when any figure or band changed. */
  readonly changed: boolean;
}

interface PerformanceRow {
  trust: string;
  group?: string | null;
  within: number | null;
  total: number | null;
  performance: number | null;
}

interface BacklogRow {
  trust: string;
  group?: string | null;
  band: string;
  count: number | null;
}

/** The headline rows of /performance responses, by standard. */
export function performanceFigures(
  bodies: Record<string, { rows?: PerformanceRow[] }>,
): FigureSnapshot['performance'] {
  const figures: FigureSnapshot['performance'] = {};
  for (const [standard, body] of Object.entries(bodies)) {
    const byTrust: Record<string, Figure> = {};
    for (const row of body.rows ?? []) {
      if (row.group !== null && row.group !== undefined) continue;
      byTrust[row.trust] = { within: row.within, total: row.total, performance: row.performance };
    }
    figures[standard] = byTrust;
  }
  return figures;
}

/** The headline rows of a /backlog response, by trust and band. */
export function backlogFigures(body: { rows?: BacklogRow[] }): FigureSnapshot['backlog'] {
  const bands: FigureSnapshot['backlog'] = {};
  for (const row of body.rows ?? []) {
    if (row.group !== null && row.group !== undefined) continue;
    bands[row.trust] = { ...bands[row.trust], [row.band]: row.count };
  }
  return bands;
}

const sameFigure = (a: Figure | null, b: Figure | null): boolean =>
  a?.within === b?.within && a?.total === b?.total && a?.performance === b?.performance;

/** Trust order: the alliance last, trusts alphabetically. */
const byTrust = (a: string, b: string): number =>
  a === b ? 0 : a === 'ALL' ? 1 : b === 'ALL' ? -1 : a.localeCompare(b);

export function diffSnapshots(
  scope: { period: string; trust: string | null },
  before: FigureSnapshot,
  after: FigureSnapshot,
): ReplayDiff {
  const figures: FigureChange[] = [];
  const standards = [
    ...new Set([...Object.keys(before.performance), ...Object.keys(after.performance)]),
  ];
  for (const standard of standards) {
    const was = before.performance[standard] ?? {};
    const now = after.performance[standard] ?? {};
    const trusts = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort(byTrust);
    for (const trust of trusts) {
      const b = was[trust] ?? null;
      const a = now[trust] ?? null;
      figures.push({ standard, trust, before: b, after: a, changed: !sameFigure(b, a) });
    }
  }
  const backlog: BacklogChange[] = [];
  const trusts = [...new Set([...Object.keys(before.backlog), ...Object.keys(after.backlog)])].sort(
    byTrust,
  );
  for (const trust of trusts) {
    const was = before.backlog[trust] ?? {};
    const now = after.backlog[trust] ?? {};
    for (const band of [...new Set([...Object.keys(was), ...Object.keys(now)])]) {
      const b = was[band] ?? null;
      const a = now[band] ?? null;
      backlog.push({ trust, band, before: b, after: a, changed: b !== a });
    }
  }
  return {
    period: scope.period,
    trust: scope.trust,
    figures,
    backlog,
    changed: figures.some((f) => f.changed) || backlog.some((b) => b.changed),
  };
}

const showFigure = (figure: Figure | null): string => {
  if (!figure) return '—';
  const performance =
    figure.performance === null ? 'n/a' : `${(figure.performance * 100).toFixed(1)}%`;
  return `${figure.within ?? '—'}/${figure.total ?? '—'} ${performance}`;
};

/** The readable table: one line per trust × standard (and backlog band that has pathways). */
export function formatDiff(diff: ReplayDiff): string {
  const header = `Replay ${diff.period}${diff.trust ? ` ${diff.trust}` : ''}: ${
    diff.changed ? 'figures changed' : 'no change'
  }`;
  const rows: string[][] = [['standard', 'trust', 'before', 'after', '']];
  for (const change of diff.figures) {
    rows.push([
      change.standard,
      change.trust,
      showFigure(change.before),
      change.changed ? showFigure(change.after) : '',
      change.changed ? 'changed' : 'no change',
    ]);
  }
  for (const change of diff.backlog) {
    if (!change.changed && !change.before) continue;
    rows.push([
      `backlog ${change.band}`,
      change.trust,
      String(change.before ?? '—'),
      change.changed ? String(change.after ?? '—') : '',
      change.changed ? 'changed' : 'no change',
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  return [header, '', ...lines].join('\n');
}
