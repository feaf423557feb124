import { describe, expect, it } from 'vitest';
import { checkFile, type FileSubmission } from '../../../../lambdas/core/check-file';
import { AllianceConfigSchema, type Rules, RulesSchema } from '../../../../lambdas/core/config';
import { readableSize } from '../../../../lambdas/core/parse/errors';
import { openTable } from '../../../../lambdas/core/parse/table';
import type { PathwayRecord } from '../../../../lambdas/core/record';
import nel from '../../../../lib/alliances/north-east-london.json';
import { buildXlsx, escapeXml } from '../parse/xlsx-fixture';

const MS_PER_DAY = 86_400_000;
const day = (year: number, month: number, dayOfMonth: number) =>
  Date.UTC(year, month - 1, dayOfMonth) / MS_PER_DAY;

/** RF4 reads SCR-style exports with 05-Mar-2025 dates from a sheet called "CWT"; R1H is default. */
const CONFIG = AllianceConfigSchema.parse({
  ...nel,
  trusts: nel.trusts.map((trust) =>
    trust.ods === 'RF4'
      ? { ...trust, intake: { mapping: 'scr', dateFormats: ['DD-MMM-YYYY'], sheet: 'CWT' } }
      : trust,
  ),
});
const SUBMISSION: FileSubmission = {
  submissionId: 's1',
  trust: 'RF4',
  dataset: 'cwt',
  period: '2025-06',
  fileName: 'f.csv',
  keyProblem: null,
};
const SCR_HEADER = 'PPI,NHS No,DOB,Priority,Date Referral Received,FDS Date,FDS Outcome,FDS Org';

function rulesWith(limits: Partial<Rules['limits']>): Rules {
  const rules = RulesSchema.parse({});
  return { ...rules, limits: { ...rules.limits, ...limits } };
}

async function check(
  body: string | Uint8Array,
  options: { submission?: Partial<FileSubmission>; rules?: Rules; stream?: boolean } = {},
) {
  const submission = { ...SUBMISSION, ...options.submission };
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const records: PathwayRecord[] = [];
  let opened = false;
  const result = await checkFile(
    submission,
    async () => {
      opened = true;
      if (!options.stream) return { bytes, fileName: submission.fileName };
      async function* pieces() {
        for (let at = 0; at < bytes.length; at += 16) yield bytes.subarray(at, at + 16);
      }
      return { stream: pieces(), fileName: submission.fileName };
    },
    {
      rules: options.rules ?? CONFIG.rules,
      trusts: CONFIG.trusts,
      columnMappings: CONFIG.columnMappings,
      chunkRows: 100,
      sink: async (_index, chunk) => {
        records.push(...chunk);
      },
      now: () => new Date('2025-07-01T00:00:00Z'),
    },
  );
  return { ...result, records, opened };
}

/** `n` SCR-style data rows with valid NHS numbers (9990000018 passes Modulus 11). */
function scrRows(n: number): string[] {
  return Array.from(
    { length: n },
    (_, i) => `P${i + 1},9990000018,15-Mar-1960,3,01-Jun-2025,20-Jun-2025,02,RF401`,
  );
}

describe('checkFile with a trust column mapping and date formats', () => {
  it('reads SCR-style headers and DD-MMM-YYYY dates, and the report names the mapping', async () => {
    // Act
    const { report, records } = await check([SCR_HEADER, ...scrRows(1), ''].join('\r\n'));

    // Assess
    expect(report.status).toBe('ACCEPTED');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      pathwayId: 'P1',
      priorityType: '3',
      dateOfBirth: day(1960, 3, 15),
      referralReceived: day(2025, 6, 1),
      fdsEnd: day(2025, 6, 20),
      fdsEndReason: '02',
      orgFdsEnd: 'RF401',
    });
    expect(report.file).toMatchObject({
      format: 'csv',
      mapping: { id: 'scr', name: 'Somerset Cancer Register (SCR) style export' },
      dateFormats: ['DD-MMM-YYYY'],
      unknownColumns: [],
    });
    expect(report.file.mappedColumns).toEqual([
      { header: 'PPI', column: 'pathway_id' },
      { header: 'NHS No', column: 'nhs_number' },
      { header: 'DOB', column: 'date_of_birth' },
      { header: 'Priority', column: 'priority_type' },
      { header: 'Date Referral Received', column: 'referral_received_date' },
      { header: 'FDS Date', column: 'fds_end_date' },
      { header: 'FDS Outcome', column: 'fds_end_reason' },
      { header: 'FDS Org', column: 'org_fds_end' },
    ]);
  });

  it("names the trust's formats when a date is in another layout, never guessing it", async () => {
    // Prepare: ISO is unambiguous but not what RF4 is configured for.
    const row = 'P1,9990000018,15-Mar-1960,3,2025-06-01,20-Jun-2025,02,RF401';

    // Act
    const { report } = await check(`${SCR_HEADER}\n${row}\n`);

    // Assess: one row, invalid → 100% > 50% → rejected
    expect(report.status).toBe('REJECTED');
    expect(report.issues).toContainEqual(
      expect.objectContaining({
        code: 'DATE_INVALID',
        field: 'referral_received_date',
        message: 'referral_received_date is not a real date in DD-MMM-YYYY form.',
      }),
    );
  });

  it('keeps the contract names and default dates for a trust without settings', async () => {
    // Act: R1H has no intake; SCR headers are unknown to it
    const { report } = await check(`${SCR_HEADER}\n${scrRows(1)[0]}\n`, {
      submission: { trust: 'R1H' },
    });

    // Assess
    expect(report.rejection?.code).toBe('HEADER_MISSING_REQUIRED');
    expect(report.file).toMatchObject({
      mapping: null,
      mappedColumns: [],
      dateFormats: ['YYYY-MM-DD', 'DD/MM/YYYY'],
    });
  });

  it('reads the configured sheet of a workbook, where date cells still arrive as ISO', async () => {
    // Prepare: sheet "Notes" first, "CWT" second. Referral is a real date cell (serial 45809 =
    // 2025-06-01, style 1 = custom format dd-mmm-yyyy); the FDS date is text in RF4's layout.
    const cells = (values: string[]) =>
      values
        .map((v) =>
          v.startsWith('#')
            ? `<c s="1"><v>${v.slice(1)}</v></c>`
            : `<c t="inlineStr"><is><t>${escapeXml(v)}</t></is></c>`,
        )
        .join('');
    const bytes = buildXlsx({
      sheets: [
        { name: 'Notes', rows: `<row r="1">${cells(['Exported by SCR'])}</row>` },
        {
          name: 'CWT',
          rows:
            `<row r="1">${cells(SCR_HEADER.split(','))}</row>` +
            `<row r="2">${cells(['P1', '9990000018', '15-Mar-1960', '3', '#45809', '20-Jun-2025', '02', 'RF401'])}</row>`,
        },
      ],
      numFmts: [{ id: 164, code: 'dd-mmm-yyyy' }],
      cellXfs: [0, 164],
    });

    // Act
    const { report, records } = await check(bytes, { submission: { fileName: 'f.xlsx' } });

    // Assess
    expect(report.status).toBe('ACCEPTED');
    expect(report.file).toMatchObject({
      format: 'xlsx',
      sheet: 'CWT',
      dateFormats: ['DD-MMM-YYYY', 'YYYY-MM-DD'],
    });
    expect(records[0]).toMatchObject({
      referralReceived: day(2025, 6, 1),
      fdsEnd: day(2025, 6, 20),
    });
  });
});

describe('checkFile intake limits', () => {
  it('refuses a file whose known size is over the limit without reading it', async () => {
    // Act: the object is said to be 2 049 bytes against a 2 048-byte limit
    const { report, opened, summary } = await check(`${SCR_HEADER}\n`, {
      submission: { size: 2049 },
      rules: rulesWith({ maxFileBytes: 2048 }),
    });

    // Assess
    expect(opened).toBe(false);
    expect(summary).toBeNull();
    expect(report.status).toBe('REJECTED');
    expect(report.rejection).toEqual({
      code: 'FILE_TOO_LARGE',
      // 2049 / 1024 = 2.001 → 2 KiB; 2048 / 1024 = 2 KiB
      message: 'The file is at least 2049 bytes (2 KiB); the limit is 2048 bytes (2 KiB)',
      hint: expect.stringContaining('at most 2 KiB'),
    });
  });

  it('stops a stream that runs past the limit when the size was not known', async () => {
    // Prepare: header + 10 rows ≈ 850 bytes, read in 16-byte pieces, against 256 bytes
    const text = [SCR_HEADER, ...scrRows(10)].join('\n');
    expect(text.length).toBeGreaterThan(256);

    // Act
    const { report } = await check(text, { stream: true, rules: rulesWith({ maxFileBytes: 256 }) });

    // Assess: the first piece over 256 bytes is piece 17 (16 × 17 = 272)
    expect(report.rejection?.code).toBe('FILE_TOO_LARGE');
    expect(report.rejection?.message).toContain('at least 272 bytes');
  });

  it('accepts exactly maxRows data rows and rejects one more, naming the row', async () => {
    // Prepare: 3 allowed; a blank line between rows still takes a row number
    const rules = rulesWith({ maxRows: 3 });
    const atLimit = [SCR_HEADER, ...scrRows(3)].join('\n');
    const [a, b, c, d] = scrRows(4);
    const over = [SCR_HEADER, a, '', b, c, d].join('\n');

    // Act
    const accepted = await check(atLimit, { rules });
    const rejected = await check(over, { rules });

    // Assess: header row 1, rows 2, (3 blank), 4, 5, 6 → the 4th data row is file row 6
    expect(accepted.report.status).toBe('ACCEPTED');
    expect(rejected.report.status).toBe('REJECTED');
    expect(rejected.report.rejection).toMatchObject({
      code: 'TOO_MANY_ROWS',
      message: 'The file has more than 3 data rows (row 6 is over the limit)',
    });
    expect(rejected.report.rejection?.hint).toContain('at most 3 pathway rows');
  });

  it('applies the configured cell length, without echoing the cell', async () => {
    // Prepare: a 40-character pathway id against a 32-byte limit
    const longId = 'X'.repeat(40);
    const text = `${SCR_HEADER}\n${longId},9990000018,15-Mar-1960,3,01-Jun-2025,,,\n`;

    // Act
    const { report } = await check(text, { rules: rulesWith({ maxCellBytes: 32 }) });

    // Assess
    expect(report.rejection?.code).toBe('CELL_TOO_LONG');
    expect(report.rejection?.message).toContain('32 bytes');
    expect(JSON.stringify(report)).not.toContain(longId);
  });

  it('applies the configured column count', async () => {
    // Act: 8 header cells against a limit of 5
    const { report } = await check(`${SCR_HEADER}\n`, { rules: rulesWith({ maxColumns: 5 }) });

    // Assess
    expect(report.rejection?.code).toBe('TOO_MANY_COLUMNS');
  });
});

describe('openTable row limit', () => {
  it('closes the source when the rows are abandoned before the first is read', async () => {
    // Prepare
    let closed = false;
    async function* source() {
      try {
        yield new TextEncoder().encode(`${SCR_HEADER}\n${scrRows(2).join('\n')}\n`);
        // a real S3 stream would still be open here
        yield new Uint8Array(0);
      } finally {
        closed = true;
      }
    }
    const table = await openTable(
      { stream: source(), fileName: 'x.csv' },
      { aliases: CONFIG.columnMappings.scr?.columns ?? {}, maxRows: 1 },
    );

    // Act
    await table.rows.return(undefined);

    // Assess
    expect(closed).toBe(true);
  });
});

describe('readableSize', () => {
  it('uses the largest binary unit under 1024 of it', () => {
    // 1 GiB = 1024³ bytes; 1.5 MiB = 1 572 864 bytes; 1023 stays in bytes
    expect(readableSize(1024 ** 3)).toBe('1 GiB');
    expect(readableSize(1_572_864)).toBe('1.5 MiB');
    expect(readableSize(1023)).toBe('1023 bytes');
  });
});
