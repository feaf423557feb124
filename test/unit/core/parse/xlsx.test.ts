import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import {
  formatNumber,
  isDateFormatCode,
  readXlsxRows,
  serialToIsoDate,
  type XlsxInfo,
  type XlsxOptions,
} from '../../../../lambdas/core/parse/xlsx';
import { collect } from './stream-helpers';
import { buildXlsx, type WorkbookFixture } from './xlsx-fixture';

async function read(fixture: WorkbookFixture | Uint8Array, options: XlsxOptions = {}) {
  const bytes = fixture instanceof Uint8Array ? fixture : buildXlsx(fixture);
  let info: XlsxInfo | undefined;
  const rows = await collect(readXlsxRows(bytes, { ...options, onInfo: (i) => (info = i) }));
  return { rows, info: info! };
}

/** One sheet called Data with the given rows. */
const sheet = (rows: string, extra: Partial<WorkbookFixture> = {}): WorkbookFixture => ({
  sheets: [{ name: 'Data', rows }],
  ...extra,
});

describe('readXlsxRows', () => {
  describe('strings', () => {
    it('reads shared strings, inline strings and formula strings', async () => {
      // Prepare
      const fixture = sheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' +
          '<row r="2"><c r="A2" t="inlineStr"><is><t>inline</t></is></c>' +
          '<c r="B2" t="str"><f>A1&amp;"!"</f><v>pathway_id!</v></c></row>',
        { sharedStrings: ['pathway_id', 'Zoë & Co'] },
      );

      // Act
      const { rows } = await read(fixture);

      // Assess
      expect(rows).toEqual([
        { row: 1, line: 1, cells: ['pathway_id', 'Zoë & Co'] },
        { row: 2, line: 2, cells: ['inline', 'pathway_id!'] },
      ]);
    });

    it('decodes XML entities, character references and Excel _xHHHH_ escapes', async () => {
      // Prepare: &#233; and &#xE9; are both é; _x000D_ is a carriage return
      const fixture = sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</t></is></c>' +
          '<c r="B1" t="inlineStr"><is><t>Ren&#233; Ren&#xE9;</t></is></c>' +
          '<c r="C1" t="inlineStr"><is><t>one_x000D_two</t></is></c></row>',
      );

      // Act
      const { rows } = await read(fixture);

      // Assess
      expect(rows[0]?.cells).toEqual(['a & b <c> "d" \'e\'', 'René René', 'one\rtwo']);
    });

    it('joins rich-text runs and leaves out phonetic runs', async () => {
      // Prepare
      const sst =
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
        '<si><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space="preserve"> plain</t></r>' +
        '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si/></sst>';
      const fixture = sheet(
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1"><v>7</v></c></row>',
        { parts: { 'xl/sharedStrings.xml': sst } },
      );

      // Act
      const { rows } = await read(fixture);

      // Assess: the empty <si/> is an empty cell, so C1 is the third cell
      expect(rows[0]?.cells).toEqual(['Bold plain', '', '7']);
    });

    it('reads booleans and error values as Excel shows them', async () => {
      // Act
      const { rows } = await read(
        sheet(
          '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c>' +
            '<c r="C1" t="e"><v>#N/A</v></c></row>',
        ),
      );

      // Assess
      expect(rows[0]?.cells).toEqual(['TRUE', 'FALSE', '#N/A']);
    });
  });

  describe('numbers', () => {
    it('writes large integers in full, as an NHS number stored as a number', async () => {
      // Prepare: Excel writes 4010232137 exactly; other writers give 17 significant digits
      const fixture = sheet(
        '<row r="1"><c r="A1"><v>4010232137</v></c><c r="B1"><v>4.0102321369999998E9</v></c>' +
          '<c r="C1"><v>9434765919</v></c></row>',
      );

      // Act
      const { rows } = await read(fixture);

      // Assess
      expect(rows[0]?.cells).toEqual(['4010232137', '4010232137', '9434765919']);
    });

    it.each([
      ['12', '12'],
      ['-3', '-3'],
      ['12.0', '12'],
      ['0.1', '0.1'],
      ['1.5E-7', '0.00000015'],
      ['2.5E+3', '2500'],
      ['0.30000000000000004', '0.3'],
      ['1E+21', '1000000000000000000000'],
    ])('formats %s as %s', (raw, expected) => {
      // Act / Assess: expectations are the values Excel displays in General format
      expect(formatNumber(raw)).toBe(expected);
    });
  });

  describe('dates', () => {
    it('converts numbers in built-in and custom date styles to ISO dates', async () => {
      // Prepare: style 1 = built-in 14 (m/d/yyyy), style 2 = custom dd/mm/yyyy, style 3 = 0.00.
      // 44927 is 2023-01-01 (Excel =DATE(2023,1,1)); +31 (January) +28 (February) +14 = 45000,
      // so 45000 is 2023-03-15.
      const fixture = sheet(
        '<row r="1"><c r="A1" s="1"><v>45000</v></c><c r="B1" s="2"><v>44927</v></c>' +
          '<c r="C1" s="3"><v>45000</v></c><c r="D1"><v>45000</v></c></row>',
        {
          numFmts: [
            { id: 164, code: 'dd/mm/yyyy' },
            { id: 165, code: '0.00' },
          ],
          cellXfs: [0, 14, 164, 165],
        },
      );

      // Act
      const { rows } = await read(fixture);

      // Assess: only the two date styles become dates
      expect(rows[0]?.cells).toEqual(['2023-03-15', '2023-01-01', '45000', '45000']);
    });

    it('drops the time of day from a date-time', async () => {
      // Prepare: 45000.75 is 2023-03-15 18:00 in built-in style 22 (m/d/yy h:mm)
      const fixture = sheet('<row r="1"><c r="A1" s="1"><v>45000.75</v></c></row>', {
        cellXfs: [0, 22],
      });

      // Act
      const { rows } = await read(fixture);

      // Assess
      expect(rows[0]?.cells).toEqual(['2023-03-15']);
    });

    it('honours the 1904 date system', async () => {
      // Prepare: in the 1904 system serial 0 is 1904-01-01; 1904 is a leap year, so 366 is 1905-01-01
      const fixture = sheet(
        '<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>366</v></c></row>',
        { cellXfs: [0, 14], date1904: true },
      );

      // Act
      const { rows, info } = await read(fixture);

      // Assess
      expect(info.date1904).toBe(true);
      expect(rows[0]?.cells).toEqual(['1904-01-01', '1905-01-01']);
    });

    it.each([
      ['1', '1900-01-01'],
      ['59', '1900-02-28'],
      ['60', '1900-02-29'],
      ['61', '1900-03-01'],
      ['25569', '1970-01-01'],
      ['0', '0'],
    ])('maps 1900-system serial %s to %s', (serial, expected) => {
      // Act / Assess: 60 is Excel's fictitious 29 Feb 1900, 25569 the Unix epoch; 0 is no date
      expect(serialToIsoDate(serial, false)).toBe(expected);
    });

    it.each([
      ['dd/mm/yyyy', true],
      ['[$-809]dd mmmm yyyy', true],
      ['mmm-yy', true],
      ['d-mmm', true],
      ['yyyy', true],
      ['0.00', false],
      ['#,##0', false],
      ['General', false],
      ['h:mm', false],
      ['[h]:mm:ss', false],
      ['"day "0', false],
      ['0\\d', false],
    ])('treats number format %s as a date: %s', (code, expected) => {
      // Act / Assess
      expect(isDateFormatCode(code)).toBe(expected);
    });

    it('keeps the date part of ISO date cells (t="d")', async () => {
      // Act
      const { rows } = await read(
        sheet('<row r="1"><c r="A1" t="d"><v>2024-02-29T00:00:00</v></c></row>'),
      );

      // Assess
      expect(rows[0]?.cells).toEqual(['2024-02-29']);
    });
  });

  describe('layout', () => {
    it('fills gaps in sparse rows and numbers rows by their r attribute', async () => {
      // Prepare: row 2 has A and D; row 5 has only C; an empty styled cell sits far right
      const fixture = sheet(
        '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="D2"><v>4</v></c>' +
          '<c r="XFD2" s="1"/></row>' +
          '<row r="5"><c r="C5"><v>3</v></c></row>',
        { cellXfs: [0, 0] },
      );

      // Act
      const { rows } = await read(fixture);

      // Assess: styled-but-empty cells add no columns
      expect(rows).toEqual([
        { row: 2, line: 2, cells: ['a', '', '', '4'] },
        { row: 5, line: 5, cells: ['', '', '3'] },
      ]);
    });

    it('places cells without a reference after the previous cell', async () => {
      // Act
      const { rows } = await read(
        sheet('<row><c r="B1"><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>'),
      );

      // Assess: rows without r follow on from the previous row number
      expect(rows).toEqual([
        { row: 1, line: 1, cells: ['', '1', '2'] },
        { row: 2, line: 2, cells: ['3'] },
      ]);
    });

    it('skips rows that hold no values', async () => {
      // Act
      const { rows } = await read(
        sheet(
          '<row r="1"><c r="A1"><v>1</v></c></row><row r="2" ht="20" customHeight="1"/>' +
            '<row r="3"><c r="A3" s="0"/></row><row r="4"><c r="A4"><v>4</v></c></row>',
        ),
      );

      // Assess
      expect(rows.map((r) => r.row)).toEqual([1, 4]);
    });

    it('reads a namespace-prefixed sheet', async () => {
      // Prepare: some writers prefix every element (x:row, x:c, x:v)
      const xml =
        '<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' +
        '<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>p</x:t></x:is></x:c>' +
        '<x:c r="B1"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>';

      // Act
      const { rows } = await read(sheet('', { parts: { 'xl/worksheets/sheet1.xml': xml } }));

      // Assess
      expect(rows[0]?.cells).toEqual(['p', '2']);
    });

    it('reads a large sheet parsed in pieces, compressed or stored', async () => {
      // Prepare: 5,000 rows of 6 cells is ~900 KB of XML, so rows straddle the 64 KiB pieces
      const xml: string[] = [];
      for (let r = 1; r <= 5000; r += 1) {
        const cells = ['A', 'B', 'C', 'D', 'E', 'F']
          .map(
            (col, i) => `<c r="${col}${r}" t="inlineStr"><is><t>${col}${r * (i + 1)}</t></is></c>`,
          )
          .join('');
        xml.push(`<row r="${r}">${cells}</row>`);
      }

      for (const level of [6, 0] as const) {
        // Act
        const { rows } = await read(sheet(xml.join(''), { level }));

        // Assess: each row as generated
        expect(rows).toHaveLength(5000);
        rows.forEach((row, index) => {
          const r = index + 1;
          expect(row.row).toBe(r);
          expect(row.cells).toEqual(
            ['A', 'B', 'C', 'D', 'E', 'F'].map((c, i) => `${c}${r * (i + 1)}`),
          );
        });
      }
    });
  });

  describe('sheets and formulas', () => {
    const twoSheets: WorkbookFixture = {
      sheets: [
        {
          name: 'Notes',
          rows: '<row r="1"><c r="A1" t="inlineStr"><is><t>notes</t></is></c></row>',
        },
        {
          name: 'Pathways',
          rows: '<row r="1"><c r="A1" t="inlineStr"><is><t>data</t></is></c></row>',
        },
      ],
    };

    it('reads the first sheet by default', async () => {
      // Act
      const { rows, info } = await read(twoSheets);

      // Assess
      expect(rows[0]?.cells).toEqual(['notes']);
      expect(info.sheetName).toBe('Notes');
      expect(info.sheetNames).toEqual(['Notes', 'Pathways']);
    });

    it('reads a sheet by name, ignoring case', async () => {
      // Act
      const exact = await read(twoSheets, { sheetName: 'Pathways' });
      const folded = await read(twoSheets, { sheetName: 'pathways' });

      // Assess
      expect(exact.rows[0]?.cells).toEqual(['data']);
      expect(folded.rows[0]?.cells).toEqual(['data']);
    });

    it('rejects a sheet name the workbook does not have, listing the sheets', async () => {
      // Act
      const reading = read(twoSheets, { sheetName: 'Data' });

      // Assess
      await expect(reading).rejects.toMatchObject({
        code: 'XLSX_SHEET_NOT_FOUND',
        hint: expect.stringContaining('Notes, Pathways'),
      });
    });

    it('uses cached formula results and counts formula cells', async () => {
      // Prepare: two formulas (one shared) and one plain value
      const fixture = sheet(
        '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f>A1+1</f><v>2</v></c>' +
          '<c r="C1"><f t="shared" ref="C1:C2" si="0">B1*2</f><v>4</v></c></row>' +
          '<row r="2"><c r="C2"><f t="shared" si="0"/><v>0</v></c></row>',
      );

      // Act
      const { rows, info } = await read(fixture);

      // Assess
      expect(rows.map((r) => r.cells)).toEqual([
        ['1', '2', '4'],
        ['', '', '0'],
      ]);
      expect(info.formulaCells).toBe(3);
    });
  });

  describe('unreadable and hostile files', () => {
    it('rejects bytes that are not a zip archive', async () => {
      // Act
      const reading = read(Buffer.from('pathway_id,nhs_number\n'));

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'XLSX_UNREADABLE' });
    });

    it('rejects a zip without a workbook', async () => {
      // Prepare
      const bytes = zipSync({ 'readme.txt': strToU8('not a workbook') });

      // Act
      const reading = read(bytes);

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'XLSX_UNREADABLE' });
    });

    it('rejects a binary (.xlsb) workbook as unsupported', async () => {
      // Prepare
      const bytes = zipSync({ 'xl/workbook.bin': new Uint8Array([1, 2, 3]) });

      // Act
      const reading = read(bytes);

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'FILE_FORMAT_UNSUPPORTED' });
    });

    it('rejects a part that expands more than 200 times', async () => {
      // Prepare: 2 MiB of spaces inside the sheet compresses about 1000:1
      const padding = ' '.repeat(2 * 1024 * 1024);
      const fixture = sheet(`<row r="1"><c r="A1"><v>1</v></c></row>${padding}`);

      // Act
      const reading = read(fixture);

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'XLSX_ZIP_BOMB' });
    });

    it('rejects a part declaring more uncompressed bytes than the limit', async () => {
      // Prepare: each row element is at least 30 bytes, so 400 rows exceed 12 KB; the limit is 4 KiB
      const rows = Array.from(
        { length: 400 },
        (_, i) => `<row r="${i + 1}"><c><v>${i}</v></c></row>`,
      );
      const fixture = sheet(rows.join(''));

      // Act
      const reading = read(fixture, { maxEntryBytes: 4096 });

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'XLSX_ZIP_BOMB' });
    });

    it('rejects a part that inflates beyond the size it declares', async () => {
      // Prepare: lower the sheet's declared size in the central directory to 10 bytes
      const bytes = buildXlsx(sheet('<row r="1"><c r="A1"><v>123456</v></c></row>'));
      const patched = patchDeclaredSize(bytes, 'xl/worksheets/sheet1.xml', 10);

      // Act
      const reading = read(patched);

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'XLSX_ZIP_BOMB' });
    });
  });
});

/** Rewrites the uncompressed size an entry declares in the zip's central directory. */
function patchDeclaredSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  const wanted = Buffer.from(name);
  for (let p = 0; p + 46 < copy.length; p += 1) {
    if (view.getUint32(p, true) !== 0x02014b50) continue;
    const nameLength = view.getUint16(p + 28, true);
    if (Buffer.from(copy.subarray(p + 46, p + 46 + nameLength)).equals(wanted)) {
      view.setUint32(p + 24, size, true);
      return copy;
    }
  }
  throw new Error(`${name} not found`);
}
