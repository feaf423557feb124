import { describe, expect, it } from 'vitest';
import { RulesSchema } from '../../../../lambdas/core/config';
import {
  type DataRow,
  type RowValidator,
  rejectionFor,
  runIntake,
} from '../../../../lambdas/core/intake';
import type { PathwayRecord } from '../../../../lambdas/core/record';

const rules = RulesSchema.parse({});

/** Rows whose first cell says whether the row is valid; a stand-in validator reads it. */
async function* rowsOf(flags: string[]): AsyncGenerator<DataRow> {
  for (const [i, flag] of flags.entries()) yield { row: i + 2, cells: [flag] };
}
const validator: RowValidator = (row) =>
  row.cells[0] === 'ok'
    ? { ok: true, record: { row: row.row } as unknown as PathwayRecord, warnings: [] }
    : {
        ok: false,
        pathwayId: `P${row.row}`,
        errors: [
          { row: row.row, pathwayId: `P${row.row}`, code: 'X', field: null, message: 'bad' },
        ],
        warnings: [],
      };

describe('intake', () => {
  it('sends valid records to chunks of the configured size, in order', async () => {
    // Prepare
    const chunks: number[][] = [];

    // Act
    const summary = await runIntake(
      rowsOf(['ok', 'bad', 'ok', 'ok', 'ok', 'ok']),
      validator,
      async (index, records) => {
        chunks[index] = records.map((r) => r.row);
      },
      { rules, chunkRows: 2 },
    );

    // Assess: 5 valid rows (2,4,5,6,7) in chunks of 2; row 3 reported
    expect(chunks).toEqual([[2, 4], [5, 6], [7]]);
    expect(summary).toMatchObject({
      total: 6,
      valid: 5,
      invalid: 1,
      chunkCount: 3,
      rejection: null,
    });
    expect(summary.errors.map((e) => e.row)).toEqual([3]);
  });

  it('rejects a file with no records, still writing one (empty) chunk', async () => {
    const chunks: number[] = [];
    const summary = await runIntake(
      rowsOf([]),
      validator,
      async (_index, r) => void chunks.push(r.length),
      {
        rules,
        chunkRows: 10,
      },
    );
    expect(summary.rejection?.code).toBe('FILE_NO_RECORDS');
    expect(chunks).toEqual([0]);
  });

  it('rejects only when more than the configured share is invalid', () => {
    // 50% invalid is allowed at the default 0.5; 51% is not
    expect(rejectionFor(10, 5, rules)).toBeNull();
    expect(rejectionFor(100, 51, rules)?.code).toBe('TOO_MANY_INVALID_RECORDS');
    expect(rejectionFor(100, 51, rules)?.message).toContain('51 of 100 records (51%)');
    expect(rejectionFor(10, 2, RulesSchema.parse({ rejectInvalidShare: 0.1 }))?.code).toBe(
      'TOO_MANY_INVALID_RECORDS',
    );
  });
});
