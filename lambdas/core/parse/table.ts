import { REQUIRED_COLUMNS } from '../record';
import {
  type CsvEncoding,
  type CsvOptions,
  type CsvRow,
  concatBytes,
  openCsv,
  replay,
} from './csv';
import { fileTooLarge, ParseError, tooManyRows } from './errors';
import { type HeaderMap, type HeaderOptions, mapHeader } from './header';
import { openXlsx, type XlsxInfo, type XlsxOptions } from './xlsx';

export interface TableSource {
  /** The whole file, when it is already in memory. */
  readonly bytes?: Uint8Array;
  /** The file as a byte stream; a CSV is read without buffering it, an XLSX is collected. */
  readonly stream?: AsyncIterable<Uint8Array>;
  /** The uploaded name, used in messages only: the format is decided by content. */
  readonly fileName: string;
}

/** Whole-file bounds, on top of the per-cell and per-row ones of the readers. */
export interface TableLimits {
  /** Largest file read, in bytes; a stream is cut off as soon as it passes it. @default - none */
  readonly maxFileBytes?: number;
  /** Largest XLSX file, which is held in memory to be read. @default - maxFileBytes */
  readonly maxXlsxBytes?: number;
  /** Most data rows (non-blank rows after the header). @default - none */
  readonly maxRows?: number;
}

export type OpenTableOptions = HeaderOptions &
  Omit<CsvOptions, 'onEncoding'> &
  Omit<XlsxOptions, 'onInfo'> &
  TableLimits;

export interface Table {
  readonly format: 'csv' | 'xlsx';
  /** CSV only: the encoding the file was read in. */
  readonly encoding?: CsvEncoding;
  /** XLSX only: sheet read and formula count (final once `rows` is exhausted). */
  readonly xlsx?: XlsxInfo;
  readonly header: HeaderMap;
  /** The header row's cells as written. */
  readonly headerCells: readonly string[];
  /** Data rows only, in file order. */
  readonly rows: AsyncGenerator<CsvRow>;
}

/** Enough bytes to tell a zip, an OLE2 (legacy Excel) file and text apart. */
const SNIFF_BYTES = 8;
const PIECE_BYTES = 64 * 1024;

/**
 * Opens an uploaded pathway file: detects CSV or XLSX by content, reads the header (the first
 * non-blank row) and maps it to the upload contract. Throws ParseError for files that cannot be
 * read at all, including a header that has none of the required columns (almost always a title
 * row or the wrong file). A header that has only some of them is returned with `missingRequired`
 * filled in, so the caller can report exactly which.
 */
export async function openTable(
  source: TableSource,
  options: OpenTableOptions = {},
): Promise<Table> {
  const maxFileBytes = options.maxFileBytes ?? Number.POSITIVE_INFINITY;
  if (source.bytes && source.bytes.length > maxFileBytes) {
    throw fileTooLarge(source.bytes.length, maxFileBytes);
  }
  const opened = source.bytes
    ? fromBytes(source.bytes)
    : await fromStream({ ...source, stream: capped(source.stream, maxFileBytes) });
  const format = detectFormat(opened.head, source.fileName);
  if (format === 'xlsx') {
    const maxXlsxBytes = Math.min(options.maxXlsxBytes ?? maxFileBytes, maxFileBytes);
    if (source.bytes && source.bytes.length > maxXlsxBytes) {
      throw fileTooLarge(source.bytes.length, maxXlsxBytes, 'workbook');
    }
    const bytes = source.bytes ?? (await collect(opened.chunks, maxXlsxBytes));
    const file = await openXlsx(bytes, options);
    return withHeader('xlsx', file.rows, options, { xlsx: file.info });
  }
  const file = await openCsv(opened.chunks, options);
  return withHeader('csv', file.rows, options, { encoding: file.encoding });
}

interface Opened {
  readonly head: Uint8Array;
  readonly chunks: AsyncIterable<Uint8Array>;
}

function fromBytes(bytes: Uint8Array): Opened {
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < bytes.length; offset += PIECE_BYTES) {
      yield bytes.subarray(offset, offset + PIECE_BYTES);
    }
  }
  return { head: bytes.subarray(0, SNIFF_BYTES), chunks: pieces() };
}

async function fromStream(source: TableSource): Promise<Opened> {
  if (!source.stream) throw new TypeError('openTable needs bytes or a stream');
  const iterator = source.stream[Symbol.asyncIterator]();
  const parts: Uint8Array[] = [];
  let total = 0;
  let done = false;
  while (total < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    parts.push(next.value);
    total += next.value.length;
  }
  const head = concatBytes(parts, total);
  return { head: head.subarray(0, SNIFF_BYTES), chunks: replay(head, iterator, done) };
}

/** The stream, stopped with FILE_TOO_LARGE once it passes `maxBytes` (an object may grow). */
async function* capped(
  stream: AsyncIterable<Uint8Array> | undefined,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  if (!stream) throw new TypeError('openTable needs bytes or a stream');
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > maxBytes) throw fileTooLarge(total, maxBytes);
    yield chunk;
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.length;
    // stopping here keeps an oversized workbook from being buffered whole before it is refused
    if (total > maxBytes) throw fileTooLarge(total, maxBytes, 'workbook');
    parts.push(chunk);
  }
  return concatBytes(parts, total);
}

/**
 * The rows, failing with TOO_MANY_ROWS on the first data row past `maxRows`. Closing the result
 * closes `rows` too, even before the first read (a generator that has not started would
 * otherwise finish without ever reaching the source).
 */
function limitRows(rows: AsyncGenerator<CsvRow>, maxRows: number): AsyncGenerator<CsvRow> {
  async function* counted(): AsyncGenerator<CsvRow> {
    let count = 0;
    for await (const row of rows) {
      count += 1;
      if (count > maxRows) throw tooManyRows(maxRows, row.row);
      yield row;
    }
  }
  const limited = counted();
  const finish = limited.return.bind(limited);
  limited.return = async (value) => {
    await rows.return(undefined);
    return finish(value);
  };
  return limited;
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const PDF = [0x25, 0x50, 0x44, 0x46];
const GZIP = [0x1f, 0x8b];

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return magic.every((byte, i) => head[i] === byte);
}

function detectFormat(head: Uint8Array, fileName: string): 'csv' | 'xlsx' {
  if (head.length === 0) {
    throw new ParseError('FILE_EMPTY', `The file ${fileName} is empty`, {
      hint: 'The upload has no content. Export the pathway data again and upload the file.',
    });
  }
  if (startsWith(head, ZIP)) return 'xlsx';
  if (startsWith(head, OLE2)) {
    throw new ParseError(
      'FILE_FORMAT_UNSUPPORTED',
      `The file ${fileName} is a legacy Excel (.xls) or password-protected workbook`,
      {
        hint:
          'Save it as "Excel Workbook (.xlsx)" or "CSV UTF-8 (comma delimited)" without a ' +
          'password, and upload it again.',
      },
    );
  }
  if (startsWith(head, PDF) || startsWith(head, GZIP)) {
    throw new ParseError('FILE_FORMAT_UNSUPPORTED', `The file ${fileName} is not a spreadsheet`, {
      hint: 'Upload the pathway extract as CSV UTF-8 (comma delimited) or as an .xlsx workbook.',
    });
  }
  return 'csv';
}

async function withHeader(
  format: 'csv' | 'xlsx',
  rows: AsyncGenerator<CsvRow>,
  options: OpenTableOptions,
  extra: { encoding?: CsvEncoding; xlsx?: XlsxInfo },
): Promise<Table> {
  const first = await rows.next();
  if (first.done) {
    await rows.return(undefined);
    throw new ParseError('FILE_EMPTY', 'The file has no header row', {
      hint:
        'The file holds no rows. The first row must be the column header, followed by one row ' +
        'per pathway.',
    });
  }
  const headerRow = first.value;
  const header = mapHeader(headerRow.cells, options);
  if (REQUIRED_COLUMNS.every((column) => header.columns[column] === undefined)) {
    const required = REQUIRED_COLUMNS.join(', ');
    await rows.return(undefined);
    throw new ParseError(
      'HEADER_MISSING_REQUIRED',
      `Row ${headerRow.row} is not a header with the required columns (${required})`,
      {
        hint:
          `The first non-empty row must be the column header, with at least ${required}. ` +
          'Remove any title rows above it, and check the file is the pathway extract.',
        row: headerRow.row,
      },
    );
  }
  // the same generator, already past the header: returning it early closes the source stream
  const dataRows = options.maxRows === undefined ? rows : limitRows(rows, options.maxRows);
  return { format, ...extra, header, headerCells: headerRow.cells, rows: dataRows };
}
