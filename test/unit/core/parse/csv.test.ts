import { describe, expect, it } from 'vitest';
import {
  type CsvEncoding,
  type CsvOptions,
  type CsvRow,
  readCsvRows,
} from '../../../../lambdas/core/parse/csv';
import { chunked, collect, pieces, seededRandom, trackedSource } from './stream-helpers';

async function read(
  input: string | Uint8Array,
  sizeOf?: (index: number) => number,
  options: CsvOptions = {},
): Promise<{ rows: CsvRow[]; encoding: CsvEncoding | undefined }> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let encoding: CsvEncoding | undefined;
  const rows = await collect(
    readCsvRows(chunked(bytes, sizeOf), { ...options, onEncoding: (e) => (encoding = e) }),
  );
  return { rows, encoding };
}

const cellsOf = (rows: CsvRow[]) => rows.map((r) => r.cells);

/**
 * Every feature the scanner must carry across a chunk boundary: a BOM, CRLF, a blank line, a
 * quoted comma, escaped quotes, a quoted CRLF, 2-, 3- and 4-byte UTF-8 characters, a lone CR and
 * a last record without a line end.
 */
const SAMPLE =
  '\ufeffid,name,note\r\n' +
  '1,"Smith, Jo","said ""hi"""\r\n' +
  '\r\n' +
  '2,Zoë,"line1\r\nline2"\n' +
  '3,€5 😀,x\r' +
  '4,,';

/** Written out by hand from SAMPLE: record 3 is the blank line; record 4 spans lines 4–5. */
const SAMPLE_ROWS: CsvRow[] = [
  { row: 1, line: 1, cells: ['id', 'name', 'note'] },
  { row: 2, line: 2, cells: ['1', 'Smith, Jo', 'said "hi"'] },
  { row: 4, line: 4, cells: ['2', 'Zoë', 'line1\r\nline2'] },
  { row: 5, line: 6, cells: ['3', '€5 😀', 'x'] },
  { row: 6, line: 7, cells: ['4', '', ''] },
];

describe('readCsvRows', () => {
  describe('records and numbering', () => {
    it('reads the sample in one chunk as written out by hand', async () => {
      // Act
      const { rows, encoding } = await read(SAMPLE);

      // Assess
      expect(rows).toEqual(SAMPLE_ROWS);
      expect(encoding).toBe('utf-8');
    });

    it('strips a UTF-8 byte-order mark from the first header cell', async () => {
      // Act
      const { rows } = await read('\ufeffpathway_id,nhs_number\nP1,4010232137\n');

      // Assess
      expect(rows[0]?.cells[0]).toBe('pathway_id');
    });

    it.each([
      ['CRLF', '\r\n'],
      ['LF', '\n'],
      ['lone CR', '\r'],
    ])('reads %s line ends the same way', async (_, eol) => {
      // Prepare
      const text = ['a,b', '1,2', '3,4'].join(eol) + eol;

      // Act
      const { rows } = await read(text);

      // Assess: three records on three lines whatever the line end
      expect(rows).toEqual([
        { row: 1, line: 1, cells: ['a', 'b'] },
        { row: 2, line: 2, cells: ['1', '2'] },
        { row: 3, line: 3, cells: ['3', '4'] },
      ]);
    });

    it('keeps quoted commas, doubled quotes and line breaks inside a cell', async () => {
      // Prepare
      const text = 'a,b\n"x, y","He said ""no""","two\nlines"\nlast,row\n';

      // Act
      const { rows } = await read(text);

      // Assess: the quoted record is row 2 and spans lines 2–3, so the next record starts on line 4
      expect(rows).toEqual([
        { row: 1, line: 1, cells: ['a', 'b'] },
        { row: 2, line: 2, cells: ['x, y', 'He said "no"', 'two\nlines'] },
        { row: 3, line: 4, cells: ['last', 'row'] },
      ]);
    });

    it('skips blank lines and comma-only rows but keeps their row numbers', async () => {
      // Prepare: records 2 (empty), 4 (commas only) and 5 (empty) are blank
      const text = 'a,b\n\n1,2\n,\n\n3,4\n';

      // Act
      const { rows } = await read(text);

      // Assess: numbering matches what a spreadsheet shows for the same file
      expect(rows.map((r) => [r.row, r.line])).toEqual([
        [1, 1],
        [3, 3],
        [6, 6],
      ]);
    });

    it('tolerates trailing empty columns', async () => {
      // Act
      const { rows } = await read('a,b,,\n1,2,,\n');

      // Assess
      expect(cellsOf(rows)).toEqual([
        ['a', 'b', '', ''],
        ['1', '2', '', ''],
      ]);
    });

    it('reads quotes the way spreadsheets do when they are not RFC 4180', async () => {
      // Prepare: a quote inside an unquoted cell is literal; text after a closing quote is kept
      const text = 'ab"c,"de"f,"g""h"\n';

      // Act
      const { rows } = await read(text);

      // Assess
      expect(cellsOf(rows)).toEqual([['ab"c', 'def', 'g"h']]);
    });

    it('reads a last record without a line end, ending in a comma', async () => {
      // Act
      const { rows } = await read('a,b\n1,');

      // Assess
      expect(cellsOf(rows)).toEqual([
        ['a', 'b'],
        ['1', ''],
      ]);
    });
  });

  describe('chunk boundaries', () => {
    it('gives the same rows when fed one byte at a time', async () => {
      // Act
      const { rows } = await read(SAMPLE, () => 1);

      // Assess
      expect(rows).toEqual(SAMPLE_ROWS);
    });

    it('gives the same rows when split in two at every byte offset', async () => {
      // Prepare
      const bytes = Buffer.from(SAMPLE, 'utf8');

      for (let offset = 1; offset < bytes.length; offset += 1) {
        // Act
        const rows = await collect(
          readCsvRows(pieces(bytes.subarray(0, offset), bytes.subarray(offset))),
        );

        // Assess
        expect(rows, `split at byte ${offset}`).toEqual(SAMPLE_ROWS);
      }
    });

    it('gives the same rows for random chunk sizes', async () => {
      // Prepare
      const random = seededRandom(20250101);

      for (let run = 0; run < 50; run += 1) {
        // Act
        const { rows } = await read(SAMPLE, () => 1 + Math.floor(random() * 12));

        // Assess
        expect(rows, `run ${run}`).toEqual(SAMPLE_ROWS);
      }
    });

    it('reads many rows spread over many chunks', async () => {
      // Prepare: 20,000 numbered rows, with a quoted newline every 7th row, in 1000-byte chunks
      const lines = ['id,text'];
      for (let i = 1; i <= 20_000; i += 1) {
        lines.push(i % 7 === 0 ? `${i},"seven\nfold"` : `${i},plain ${i}`);
      }
      const text = `${lines.join('\r\n')}\r\n`;

      // Act
      const { rows } = await read(text, () => 1000);

      // Assess: row k + 1 holds record k; the text of every row is as generated
      expect(rows).toHaveLength(20_001);
      rows.slice(1).forEach((r, index) => {
        const i = index + 1;
        expect(r.row).toBe(i + 1);
        expect(r.cells).toEqual([String(i), i % 7 === 0 ? 'seven\nfold' : `plain ${i}`]);
      });
    });
  });

  describe('encodings', () => {
    it('falls back to Windows-1252 when the bytes are not UTF-8', async () => {
      // Prepare: £ is A3 and é is E9 in both Latin-1 and 1252; 80 is € and 92 is ’ in 1252 only
      const bytes = Buffer.concat([
        Buffer.from('cost,name\n£5,René\n', 'latin1'),
        Buffer.from([0x80, 0x2c, 0x92, 0x0a]),
      ]);

      // Act
      const { rows, encoding } = await read(bytes, () => 3);

      // Assess
      expect(encoding).toBe('windows-1252');
      expect(cellsOf(rows)).toEqual([
        ['cost', 'name'],
        ['£5', 'René'],
        ['€', '’'],
      ]);
    });

    it('decides the encoding from the first 64 KiB only', async () => {
      // Prepare: 70,000 bytes of ASCII, then a lone Windows-1252 £ (A3), invalid as UTF-8
      const head = Buffer.from(`a\n${'x\n'.repeat(34_999)}`, 'latin1');
      const bytes = Buffer.concat([head, Buffer.from([0xa3, 0x0a])]);

      // Act
      const { rows, encoding } = await read(bytes, () => 4096);

      // Assess: the sample was valid UTF-8, so the late byte decodes as a replacement character
      expect(encoding).toBe('utf-8');
      expect(rows.at(-1)?.cells).toEqual(['\ufffd']);
    });

    it('uses the encoding the caller configures when there is no byte-order mark', async () => {
      // Prepare: "é" written as UTF-8 (C3 A9) also happens to be valid 1252 text
      const bytes = Buffer.from('name\nRené\n', 'utf8');

      // Act
      const { rows, encoding } = await read(bytes, undefined, { encoding: 'windows-1252' });

      // Assess: C3 A9 read as 1252 is "Ã©"
      expect(encoding).toBe('windows-1252');
      expect(rows[1]?.cells).toEqual(['RenÃ©']);
    });

    it('reads UTF-16 LE without a byte-order mark when the caller configures it', async () => {
      // Prepare: UTF-16 text has a NUL high byte after every ASCII character
      const bytes = Buffer.from('a,b\r\n1,é\r\n', 'utf16le');

      // Act
      const { rows } = await read(bytes, undefined, { encoding: 'utf-16le' });

      // Assess
      expect(cellsOf(rows)).toEqual([
        ['a', 'b'],
        ['1', 'é'],
      ]);
    });

    it('decodes UTF-16 LE with a byte-order mark, across odd chunk splits', async () => {
      // Prepare
      const bytes = Buffer.from('\ufeffa,b\r\nZoë,€ 😀\r\n', 'utf16le');

      // Act
      const whole = await read(bytes);
      const split = await read(bytes, () => 1);

      // Assess
      expect(whole.encoding).toBe('utf-16le');
      expect(cellsOf(whole.rows)).toEqual([
        ['a', 'b'],
        ['Zoë', '€ 😀'],
      ]);
      expect(split.rows).toEqual(whole.rows);
    });
  });

  describe('errors', () => {
    it('rejects an unterminated quote at the end of the file, naming its row and line', async () => {
      // Prepare: record 3 starts on line 4 because record 2 holds a quoted line break
      const text = 'a,b\n1,"x\ny"\n2,"never closed\nmore\n';

      // Act
      const reading = read(text);

      // Assess
      await expect(reading).rejects.toMatchObject({
        name: 'ParseError',
        code: 'CSV_UNTERMINATED_QUOTE',
        row: 3,
        line: 4,
      });
    });

    it('rejects binary content', async () => {
      // Prepare
      const bytes = Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x00, 0x01, 0x02]);

      // Act
      const reading = read(bytes);

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'FILE_BINARY' });
    });

    it('rejects UTF-16 big-endian text as unsupported', async () => {
      // Prepare
      const bytes = Buffer.from([0xfe, 0xff, 0x00, 0x61]);

      // Act
      const reading = read(bytes);

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'FILE_ENCODING_UNSUPPORTED' });
    });

    it('accepts a cell of exactly the limit and rejects one byte more', async () => {
      // Prepare: the default limit is 32 KiB = 32,768 bytes
      const atLimit = `a,b\n1,${'x'.repeat(32_768)}\n`;
      const overLimit = `a,b\n1,${'x'.repeat(32_769)}\n`;

      // Act
      const accepted = await read(atLimit);
      const rejected = read(overLimit);

      // Assess
      expect(accepted.rows[1]?.cells[1]).toHaveLength(32_768);
      await expect(rejected).rejects.toMatchObject({ code: 'CELL_TOO_LONG', row: 2 });
    });

    it('counts an escaped quote as one byte of its cell', async () => {
      // Prepare: 4 doubled quotes decode to 4 characters, within a limit of 4
      const text = '"""""""""",b\n';

      // Act
      const { rows } = await read(text, undefined, { maxCellBytes: 4 });

      // Assess
      expect(rows[0]?.cells).toEqual(['""""', 'b']);
    });

    it('stops at a runaway quoted cell without reading the rest of the file', async () => {
      // Prepare: a quote opened in row 2, then 1 MiB without a closing quote, in 1 KiB chunks
      const chunks = [Buffer.from('a,b\n1,"open')];
      for (let i = 0; i < 1024; i += 1) chunks.push(Buffer.from(`${'y'.repeat(1023)}\n`));
      const { state, source } = trackedSource(chunks);

      // Act
      const reading = collect(readCsvRows(source));

      // Assess: the 64 KiB sample plus the 32 KiB limit is about 100 chunks, far from 1025
      await expect(reading).rejects.toMatchObject({ code: 'CELL_TOO_LONG', row: 2, line: 2 });
      expect(state.pulled).toBeLessThan(200);
    });

    it('rejects a row with more columns than the limit', async () => {
      // Prepare: 4 cells allowed; row 2 has 5
      const text = 'a,b,c,d\n1,2,3,4,5\n';

      // Act
      const reading = read(text, undefined, { maxColumns: 4 });

      // Assess
      await expect(reading).rejects.toMatchObject({ code: 'TOO_MANY_COLUMNS', row: 2 });
    });
  });

  it('closes the source when the reader is abandoned', async () => {
    // Prepare: 100 chunks of 1,000 rows each
    const chunk = Buffer.from('1,2\n'.repeat(1000));
    const { state, source } = trackedSource(Array.from({ length: 100 }, () => chunk));

    // Act
    for await (const row of readCsvRows(source)) {
      if (row.row === 10) break;
    }

    // Assess
    expect(state.closed).toBe(true);
    expect(state.pulled).toBeLessThan(100);
  });
});
