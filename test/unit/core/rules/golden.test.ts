import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RulesSchema } from '../../../../lambdas/core/config';
import type { StandardOutcome } from '../../../../lambdas/core/outcomes';
import { CANONICAL_COLUMNS, type ColumnName } from '../../../../lambdas/core/record';
import { deriveOutcomes } from '../../../../lambdas/core/standards';
import { type ColumnIndex, validateRow } from '../../../../lambdas/core/validate';

/**
 * Golden files: each row of golden/*.csv is an upload row (canonical column names) followed by
 * the expected result, worked out by hand; the `note` column shows the day arithmetic. A blank
 * expect_<standard>_month means the record must not count in that standard. Every file is read
 * as one upload by trust R1H for period 2025-06 (so 2025-07-01 onwards is in the future).
 */

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const CONTEXT = { submittingTrust: 'R1H', period: '2025-06' };
const RULES = RulesSchema.parse({});
const CANONICAL = new Set<string>(CANONICAL_COLUMNS);

interface GoldenRow {
  readonly line: number;
  readonly cells: string[];
  readonly expect: Record<string, string>;
}

/** Fixture values hold no quotes or commas, so a plain split is enough; a wrong cell count fails. */
function readGolden(file: string): { columns: ColumnIndex; rows: GoldenRow[] } {
  const lines = readFileSync(join(GOLDEN_DIR, file), 'utf8').split('\n').filter(Boolean);
  const header = (lines[0] ?? '').split(',');
  const columns: ColumnIndex = {};
  header.forEach((name, index) => {
    if (CANONICAL.has(name)) columns[name as ColumnName] = index;
  });
  const rows = lines.slice(1).map((text, offset) => {
    const cells = text.split(',');
    expect(cells.length, `${file} line ${offset + 2} has the wrong number of cells`).toBe(
      header.length,
    );
    const expectations: Record<string, string> = {};
    header.forEach((name, index) => {
      if (!CANONICAL.has(name)) expectations[name] = cells[index] ?? '';
    });
    return { line: offset + 2, cells, expect: expectations };
  });
  return { columns, rows };
}

function issueKeys(issues: ReadonlyArray<{ code: string; field: string | null }>): string[] {
  return issues.map((issue) => `${issue.code}@${issue.field ?? ''}`).sort();
}

function expectedKeys(text: string | undefined): string[] {
  return text ? text.split(';').sort() : [];
}

function expectedOutcome(expectations: Record<string, string>, prefix: string) {
  const month = expectations[`expect_${prefix}_month`];
  if (!month) return null;
  const stage = expectations[`expect_${prefix}_stage`];
  const within = expectations[`expect_${prefix}_within`] === 'Y';
  return {
    month,
    waitDays: Number(expectations[`expect_${prefix}_wait`]),
    within,
    trust: expectations[`expect_${prefix}_trust`],
    ...(stage ? { stage } : {}),
    allocations: [
      { trust: expectations[`expect_${prefix}_trust`], within: within ? 1 : 0, total: 1 },
    ],
  };
}

function actualOutcome(outcome: StandardOutcome | undefined) {
  if (!outcome) return null;
  return {
    month: outcome.month,
    waitDays: outcome.waitDays,
    within: outcome.within,
    trust: outcome.allocations[0]?.trust,
    ...(outcome.stage ? { stage: outcome.stage } : {}),
    allocations: outcome.allocations,
  };
}

const files = readdirSync(GOLDEN_DIR).filter((name) => name.endsWith('.csv'));

describe('golden files', () => {
  it('finds the golden files', () => {
    // Assess
    expect(files).toEqual(expect.arrayContaining(['pathways.csv', 'invalid.csv']));
  });

  for (const file of files) {
    const { columns, rows } = readGolden(file);

    describe(file, () => {
      it.each(
        rows.map((row) => ({ ...row, name: `${row.cells[0] || '(no id)'}: ${row.expect.note}` })),
      )('$name', ({ line, cells, expect: expectations }) => {
        // Act
        const result = validateRow(cells, columns, line, CONTEXT);

        // Assess
        const expectedErrors = expectedKeys(expectations.expect_errors);
        expect(issueKeys(result.warnings)).toEqual(expectedKeys(expectations.expect_warnings));
        if (!result.ok) {
          expect(issueKeys(result.errors)).toEqual(expectedErrors);
          expect(expectations.expect_route).toBe('');
          return;
        }
        expect(expectedErrors).toEqual([]);
        expect(result.record.row).toBe(line);

        const derived = deriveOutcomes(result.record, CONTEXT.submittingTrust, RULES);
        expect(derived.route).toBe(expectations.expect_route);
        const byStandard = new Map(derived.outcomes.map((outcome) => [outcome.standard, outcome]));
        expect(actualOutcome(byStandard.get('fds'))).toEqual(expectedOutcome(expectations, 'fds'));
        expect(actualOutcome(byStandard.get('31d'))).toEqual(expectedOutcome(expectations, '31d'));
        expect(actualOutcome(byStandard.get('62d'))).toEqual(expectedOutcome(expectations, '62d'));
      });
    });
  }
});
