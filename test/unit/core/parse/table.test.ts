import { describe, expect, it } from 'vitest';
import { openTable } from '../../../../lambdas/core/parse/table';
import { chunked, collect, pieces, trackedSource } from './stream-helpers';
import { buildXlsx } from './xlsx-fixture';

const HEADER = 'pathway_id,nhs_number,priority_type,referral_received_date';
const csv = (text: string) => Buffer.from(text, 'utf8');

describe('openTable', () => {
  describe('CSV', () => {
    it('maps the header and yields data rows only, from bytes', async () => {
      // Prepare
      const bytes = csv(
        `${HEADER},Local Ref\nP1,4010232137,3,2025-01-02,x\nP2,9434765919,3,2025-01-03,y\n`,
      );

      // Act
      const table = await openTable({ bytes, fileName: 'r1h.csv' });
      const rows = await collect(table.rows);

      // Assess
      expect(table.format).toBe('csv');
      expect(table.encoding).toBe('utf-8');
      expect(table.header.columns).toEqual({
        pathway_id: 0,
        nhs_number: 1,
        priority_type: 2,
        referral_received_date: 3,
      });
      expect(table.header.unknown).toEqual(['Local Ref']);
      expect(rows.map((r) => [r.row, r.cells[0]])).toEqual([
        [2, 'P1'],
        [3, 'P2'],
      ]);
    });

    it('reads a stream without buffering the whole file', async () => {
      // Prepare: 2,000 chunks of 16 KiB (~32 MiB); detection may read ahead 64 KiB
      const chunk = csv('P1,4010232137,3,2025-01-02\n'.repeat((16 * 1024) / 27));
      const chunks = [csv(`${HEADER}\n`), ...Array.from({ length: 2000 }, () => chunk)];
      const { state, source } = trackedSource(chunks);

      // Act
      const table = await openTable({ stream: source, fileName: 'big.csv' });

      // Assess: 64 KiB / 16 KiB = 4 chunks plus the header chunk, not 2,001
      expect(table.header.missingRequired).toEqual([]);
      expect(state.pulled).toBeLessThanOrEqual(6);
      await table.rows.return(undefined);
      expect(state.closed).toBe(true);
    });

    it('applies aliases from the options', async () => {
      // Prepare
      const bytes = csv('Pathway,NHS No,Priority,Referral Date\nP1,4010232137,3,2025-01-02\n');
      const aliases = {
        pathway: 'pathway_id',
        'nhs no': 'nhs_number',
        priority: 'priority_type',
        'referral date': 'referral_received_date',
      } as const;

      // Act
      const table = await openTable({ bytes, fileName: 'x.csv' }, { aliases });

      // Assess
      expect(table.header.missingRequired).toEqual([]);
      expect(table.header.columns.nhs_number).toBe(1);
    });

    it('returns a header with some required columns missing, listing them', async () => {
      // Act
      const table = await openTable({
        bytes: csv('pathway_id,postcode\nP1,E1 1BB\n'),
        fileName: 'x.csv',
      });

      // Assess
      expect(table.header.missingRequired).toEqual([
        'nhs_number',
        'priority_type',
        'referral_received_date',
      ]);
    });

    it('rejects a first row that has none of the required columns', async () => {
      // Prepare: a title row above the real header
      const bytes = csv(`Cancer PTL extract March 2025\n${HEADER}\nP1,4010232137,3,2025-01-02\n`);

      // Act
      const opening = openTable({ bytes, fileName: 'x.csv' });

      // Assess
      await expect(opening).rejects.toMatchObject({
        code: 'HEADER_MISSING_REQUIRED',
        row: 1,
        hint: expect.stringContaining(
          'pathway_id, nhs_number, priority_type, referral_received_date',
        ),
      });
    });

    it('yields no rows for a file with a header only', async () => {
      // Act
      const table = await openTable({ bytes: csv(`${HEADER}\r\n\r\n`), fileName: 'x.csv' });

      // Assess
      expect(await collect(table.rows)).toEqual([]);
    });

    it('rejects an empty file, from bytes and from a stream', async () => {
      // Act
      const fromBytes = openTable({ bytes: new Uint8Array(0), fileName: 'x.csv' });
      const fromStream = openTable({ stream: pieces(), fileName: 'x.csv' });

      // Assess
      await expect(fromBytes).rejects.toMatchObject({ code: 'FILE_EMPTY' });
      await expect(fromStream).rejects.toMatchObject({ code: 'FILE_EMPTY' });
    });

    it('rejects a file of blank lines as having no header', async () => {
      // Act
      const opening = openTable({ bytes: csv('\ufeff\r\n\r\n,,\r\n'), fileName: 'x.csv' });

      // Assess
      await expect(opening).rejects.toMatchObject({ code: 'FILE_EMPTY' });
    });
  });

  describe('XLSX', () => {
    const workbook = buildXlsx({
      sheets: [
        {
          name: 'Data',
          rows:
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c></row>' +
            '<row r="2"><c r="A2" t="inlineStr"><is><t>P1</t></is></c><c r="B2"><v>4010232137</v></c><c r="C2"><v>3</v></c><c r="D2" s="1"><v>45000</v></c></row>',
        },
      ],
      sharedStrings: ['pathway_id', 'nhs_number', 'priority_type', 'referral_received_date'],
      cellXfs: [0, 14],
    });

    it('detects a workbook by its zip signature, from bytes or a stream', async () => {
      for (const source of [
        { bytes: workbook, fileName: 'upload.dat' },
        { stream: chunked(workbook, () => 100), fileName: 'upload.dat' },
      ]) {
        // Act
        const table = await openTable(source);
        const rows = await collect(table.rows);

        // Assess: 45000 in a date style is 2023-03-15 (see xlsx.test.ts for the arithmetic)
        expect(table.format).toBe('xlsx');
        expect(table.encoding).toBeUndefined();
        expect(table.xlsx?.sheetName).toBe('Data');
        expect(table.header.missingRequired).toEqual([]);
        expect(rows).toEqual([{ row: 2, line: 2, cells: ['P1', '4010232137', '3', '2023-03-15'] }]);
      }
    });
  });

  describe('format detection', () => {
    it('rejects a legacy .xls workbook with advice to re-save it', async () => {
      // Prepare: the OLE2 compound-file signature D0 CF 11 E0 A1 B1 1A E1
      const bytes = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);

      // Act
      const opening = openTable({ bytes, fileName: 'ptl.xls' });

      // Assess
      await expect(opening).rejects.toMatchObject({
        code: 'FILE_FORMAT_UNSUPPORTED',
        hint: expect.stringContaining('.xlsx'),
      });
    });

    it('detects the legacy signature even when it arrives split over chunks', async () => {
      // Prepare
      const bytes = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);

      // Act
      const opening = openTable({ stream: chunked(bytes, () => 1), fileName: 'ptl.xls' });

      // Assess
      await expect(opening).rejects.toMatchObject({ code: 'FILE_FORMAT_UNSUPPORTED' });
    });

    it('rejects a PDF as not a spreadsheet', async () => {
      // Act
      const opening = openTable({ bytes: csv('%PDF-1.7\n...'), fileName: 'report.csv' });

      // Assess
      await expect(opening).rejects.toMatchObject({ code: 'FILE_FORMAT_UNSUPPORTED' });
    });

    it('reads a CSV split into chunks smaller than the signature', async () => {
      // Act
      const table = await openTable({
        stream: chunked(csv(`${HEADER}\nP1,4010232137,3,2025-01-02\n`), () => 3),
        fileName: 'x.csv',
      });

      // Assess
      expect(table.format).toBe('csv');
      expect((await collect(table.rows)).map((r) => r.cells)).toEqual([
        ['P1', '4010232137', '3', '2025-01-02'],
      ]);
    });
  });
});
