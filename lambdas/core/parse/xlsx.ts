import { Inflate } from 'fflate';
import { type CsvRow, DEFAULT_MAX_CELL_BYTES, DEFAULT_MAX_COLUMNS, type ReadLimits } from './csv';
import { ParseError } from './errors';

export interface XlsxOptions extends ReadLimits {
  /** Sheet to read. @default - the first worksheet in workbook order */
  readonly sheetName?: string;
  /** Largest declared uncompressed size accepted for any part read. @default 200 MiB */
  readonly maxEntryBytes?: number;
  /** Largest uncompressed/compressed ratio accepted for a part over 1 MiB. @default 200 */
  readonly maxCompressionRatio?: number;
  /** Called once, before the first row, with the live workbook facts. */
  readonly onInfo?: (info: XlsxInfo) => void;
}

export interface XlsxInfo {
  readonly sheetName: string;
  readonly sheetNames: readonly string[];
  readonly date1904: boolean;
  /** Formula cells read so far (their cached values are used); final once rows are exhausted. */
  formulaCells: number;
}

export interface XlsxFile {
  readonly info: XlsxInfo;
  readonly rows: AsyncGenerator<CsvRow>;
}

export const DEFAULT_MAX_ENTRY_BYTES = 200 * 1024 * 1024;
export const DEFAULT_MAX_COMPRESSION_RATIO = 200;
/** Small XML parts legitimately compress far better than 200:1 and cannot hurt anyone. */
const RATIO_FLOOR_BYTES = 1024 * 1024;
/** Compressed bytes handed to the inflater at a time: bounds the output of one step. */
const INFLATE_STEP_BYTES = 16 * 1024;
/** Sheet XML is parsed in pieces of this size, so one piece's rows are held at once. */
const PIECE_BYTES = 64 * 1024;
/** One row's XML beyond this is not a spreadsheet a trust exported. */
const MAX_ROW_XML_BYTES = 64 * 1024 * 1024;

/**
 * Reads one sheet of an XLSX workbook as rows of text cells, numbered by the sheet's own row
 * numbers. Numbers come out as Excel shows them in General format (no exponent, no `.0`), dates
 * as `YYYY-MM-DD`, booleans as `TRUE`/`FALSE`, formulas as their cached result.
 */
export async function* readXlsxRows(
  bytes: Uint8Array,
  options: XlsxOptions = {},
): AsyncGenerator<CsvRow> {
  const file = await openXlsx(bytes, options);
  options.onInfo?.(file.info);
  yield* file.rows;
}

/**
 * Opens the workbook, reads the parts every cell depends on (workbook, relationships, shared
 * strings, styles) and returns the chosen sheet's rows; the sheet itself is inflated as it is read.
 */
export async function openXlsx(bytes: Uint8Array, options: XlsxOptions = {}): Promise<XlsxFile> {
  const limits = {
    maxEntryBytes: options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES,
    maxRatio: options.maxCompressionRatio ?? DEFAULT_MAX_COMPRESSION_RATIO,
  };
  const zip = new ZipReader(bytes, limits);
  const workbookPath = officeDocumentPath(zip);
  const workbookBytes = zip.read(workbookPath);
  if (!workbookBytes) throw missingWorkbook(zip);
  const workbook = parseWorkbook(toBuffer(workbookBytes));
  const relsPath = `${directoryOf(workbookPath)}_rels/${baseName(workbookPath)}.rels`;
  const rels = parseRelationships(zip.read(relsPath));
  const sheet = chooseSheet(workbook.sheets, rels, options.sheetName);
  const sheetPath = resolvePart(directoryOf(workbookPath), sheet.target);
  const sharedStrings = parseSharedStrings(
    zip.read(partOfType(rels, '/sharedStrings', workbookPath) ?? 'xl/sharedStrings.xml'),
  );
  const dateStyles = parseDateStyles(
    zip.read(partOfType(rels, '/styles', workbookPath) ?? 'xl/styles.xml'),
  );
  const info: XlsxInfo = {
    sheetName: sheet.name,
    sheetNames: workbook.sheets.map((s) => s.name),
    date1904: workbook.date1904,
    formulaCells: 0,
  };
  const entry = zip.entry(sheetPath);
  if (!entry) throw unreadable(`the sheet "${sheet.name}" has no part in the archive`);
  zip.check(entry);
  const parser = new SheetParser({
    sharedStrings,
    dateStyles,
    date1904: workbook.date1904,
    maxCellBytes: options.maxCellBytes ?? DEFAULT_MAX_CELL_BYTES,
    maxColumns: options.maxColumns ?? DEFAULT_MAX_COLUMNS,
    info,
  });
  return { info, rows: sheetRows(zip.inflate(entry), parser) };
}

async function* sheetRows(chunks: Iterable<Uint8Array>, parser: SheetParser) {
  const out: CsvRow[] = [];
  let parts: Buffer[] = [];
  let pending = 0;
  // after a piece completes no row, wait for twice the bytes: a huge row is re-scanned log n times
  let retryAt = 0;
  for (const chunk of chunks) {
    for (let offset = 0; offset < chunk.length; offset += PIECE_BYTES) {
      const piece = toBuffer(chunk.subarray(offset, Math.min(offset + PIECE_BYTES, chunk.length)));
      parts.push(piece);
      pending += piece.length;
      if (pending < retryAt) continue;
      const buf = parts.length === 1 ? piece : Buffer.concat(parts, pending);
      const consumed = parser.parse(buf, out);
      const rest = buf.subarray(consumed);
      parts = rest.length > 0 ? [rest] : [];
      pending = rest.length;
      retryAt = consumed === 0 ? pending * 2 : 0;
      if (pending > MAX_ROW_XML_BYTES) throw unreadable('a row of the sheet is too large to read');
      yield* out;
      out.length = 0;
      if (parser.done) return;
    }
  }
  if (pending > 0 && !parser.done) {
    parser.parse(parts.length === 1 ? parts[0]! : Buffer.concat(parts, pending), out);
    yield* out;
  }
  // a sheet without <sheetData> (a chart sheet chosen by name) simply has no rows
  if (parser.started && !parser.done) {
    throw unreadable('the sheet data ends early (the file is truncated)');
  }
}

// ---------------------------------------------------------------------------------------------
// Zip container: central directory read by hand so each part's declared sizes are checked before
// a byte is inflated, and the sheet can be inflated in steps instead of all at once.

interface ZipEntry {
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

interface ZipLimits {
  readonly maxEntryBytes: number;
  readonly maxRatio: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const U32_MAX = 0xffffffff;

class ZipReader {
  private readonly view: DataView;
  private readonly entries = new Map<string, ZipEntry>();
  private readonly byLowerName = new Map<string, ZipEntry>();

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: ZipLimits,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      this.readDirectory();
    } catch (error) {
      if (error instanceof ParseError) throw error;
      throw unreadable('its zip directory is damaged');
    }
  }

  has(name: string): boolean {
    return this.entry(name) !== undefined;
  }

  /** Part names are case-sensitive in the spec; some writers get the case wrong. */
  entry(name: string): ZipEntry | undefined {
    return this.entries.get(name) ?? this.byLowerName.get(name.toLowerCase());
  }

  read(name: string): Uint8Array | undefined {
    const entry = this.entry(name);
    if (!entry) return undefined;
    this.check(entry);
    const out = new Uint8Array(entry.size);
    let length = 0;
    for (const chunk of this.inflate(entry)) {
      out.set(chunk, length);
      length += chunk.length;
    }
    return out.subarray(0, length);
  }

  /** Inflates step by step (after `check`), refusing output beyond the declared size. */
  *inflate(entry: ZipEntry): Generator<Uint8Array> {
    this.check(entry);
    const data = this.data(entry);
    if (entry.method === 0) {
      if (data.length > entry.size) throw zipBomb(entry.name, 'holds more than it declares');
      yield data;
      return;
    }
    const produced: Uint8Array[] = [];
    const inflater = new Inflate((chunk) => {
      produced.push(chunk);
    });
    let total = 0;
    for (let offset = 0; offset < data.length; offset += INFLATE_STEP_BYTES) {
      const end = Math.min(offset + INFLATE_STEP_BYTES, data.length);
      try {
        inflater.push(data.subarray(offset, end), end === data.length);
      } catch {
        throw unreadable(`the part ${entry.name} is corrupt`);
      }
      for (const chunk of produced) {
        total += chunk.length;
        if (total > entry.size) throw zipBomb(entry.name, 'inflates beyond its declared size');
        if (chunk.length > 0) yield chunk;
      }
      produced.length = 0;
    }
  }

  /** Refuses encrypted, oddly compressed or bomb-sized parts by their declared sizes. */
  check(entry: ZipEntry): void {
    if ((entry.flags & 1) !== 0) {
      throw new ParseError('FILE_FORMAT_UNSUPPORTED', 'The workbook is encrypted', {
        hint: 'Remove the password from the workbook (or save it as CSV UTF-8) and upload again.',
      });
    }
    if (entry.method !== 0 && entry.method !== 8) {
      throw unreadable(`the part ${entry.name} uses an unsupported compression method`);
    }
    if (entry.size > this.limits.maxEntryBytes) {
      throw zipBomb(entry.name, `declares ${entry.size} bytes uncompressed`);
    }
    const ratio = entry.size / Math.max(entry.compressedSize, 1);
    if (entry.size > RATIO_FLOOR_BYTES && ratio > this.limits.maxRatio) {
      throw zipBomb(entry.name, `expands ${Math.round(ratio)} times`);
    }
  }

  private data(entry: ZipEntry): Uint8Array {
    const at = entry.localOffset;
    if (at + 30 > this.bytes.length || this.view.getUint32(at, true) !== LOCAL_SIGNATURE) {
      throw unreadable(`the part ${entry.name} is missing from the archive`);
    }
    const start = at + 30 + this.view.getUint16(at + 26, true) + this.view.getUint16(at + 28, true);
    const end = start + entry.compressedSize;
    if (end > this.bytes.length) throw unreadable(`the part ${entry.name} is truncated`);
    return this.bytes.subarray(start, end);
  }

  private readDirectory(): void {
    const view = this.view;
    const eocd = this.findEndOfDirectory();
    let count = view.getUint16(eocd + 10, true);
    let offset = view.getUint32(eocd + 16, true);
    if (count === 0xffff || offset === U32_MAX) {
      const locator = eocd - 20;
      if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR_SIGNATURE) {
        const zip64 = u64(view, locator + 8);
        if (view.getUint32(zip64, true) !== ZIP64_EOCD_SIGNATURE) throw new RangeError();
        count = u64(view, zip64 + 32);
        offset = u64(view, zip64 + 48);
      }
    }
    const decoder = new TextDecoder();
    let p = offset;
    for (let k = 0; k < count; k += 1) {
      if (view.getUint32(p, true) !== CENTRAL_SIGNATURE) throw new RangeError();
      const nameLength = view.getUint16(p + 28, true);
      const extraLength = view.getUint16(p + 30, true);
      const commentLength = view.getUint16(p + 32, true);
      const nameStart = p + 46;
      if (nameStart + nameLength > this.bytes.length) throw new RangeError();
      const name = decoder.decode(this.bytes.subarray(nameStart, nameStart + nameLength));
      let compressedSize = view.getUint32(p + 20, true);
      let size = view.getUint32(p + 24, true);
      let localOffset = view.getUint32(p + 42, true);
      const extraEnd = nameStart + nameLength + extraLength;
      // ZIP64 keeps the real values in extra field 0x0001, in this order, for each field at U32_MAX
      for (let e = nameStart + nameLength; e + 4 <= extraEnd; ) {
        const id = view.getUint16(e, true);
        const length = view.getUint16(e + 2, true);
        if (id === 1) {
          let q = e + 4;
          if (size === U32_MAX) {
            size = u64(view, q);
            q += 8;
          }
          if (compressedSize === U32_MAX) {
            compressedSize = u64(view, q);
            q += 8;
          }
          if (localOffset === U32_MAX) localOffset = u64(view, q);
        }
        e += 4 + length;
      }
      const entry: ZipEntry = {
        name,
        flags: view.getUint16(p + 8, true),
        method: view.getUint16(p + 10, true),
        compressedSize,
        size,
        localOffset,
      };
      this.entries.set(name, entry);
      this.byLowerName.set(name.toLowerCase(), entry);
      p = extraEnd + commentLength;
    }
  }

  private findEndOfDirectory(): number {
    const bytes = this.bytes;
    const lowest = Math.max(0, bytes.length - 22 - 0xffff);
    for (let i = bytes.length - 22; i >= lowest; i -= 1) {
      if (
        bytes[i] === 0x50 &&
        bytes[i + 1] === 0x4b &&
        bytes[i + 2] === 0x05 &&
        bytes[i + 3] === 0x06 &&
        this.view.getUint32(i, true) === EOCD_SIGNATURE
      ) {
        return i;
      }
    }
    throw unreadable('it is not a complete zip archive');
  }
}

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

// ---------------------------------------------------------------------------------------------
// Package parts: which workbook, which sheet, shared strings, which styles are dates.

interface SheetRef {
  readonly name: string;
  readonly relId: string;
}

interface Relationship {
  readonly id: string;
  readonly type: string;
  readonly target: string;
}

function officeDocumentPath(zip: ZipReader): string {
  const rels = parseRelationships(zip.read('_rels/.rels'));
  const main = rels.find((rel) => rel.type.endsWith('/officeDocument'));
  return main ? resolvePart('', main.target) : 'xl/workbook.xml';
}

function missingWorkbook(zip: ZipReader): ParseError {
  if (zip.has('xl/workbook.bin')) {
    return new ParseError('FILE_FORMAT_UNSUPPORTED', 'The file is a binary workbook (.xlsb)', {
      hint: 'Save the workbook as .xlsx or as CSV UTF-8 and upload it again.',
    });
  }
  if (zip.has('content.xml') && zip.has('mimetype')) {
    return new ParseError('FILE_FORMAT_UNSUPPORTED', 'The file is an OpenDocument spreadsheet', {
      hint: 'Save the spreadsheet as .xlsx or as CSV UTF-8 and upload it again.',
    });
  }
  return unreadable('it has no workbook part');
}

function parseWorkbook(buf: Buffer): { sheets: SheetRef[]; date1904: boolean } {
  const sheets: SheetRef[] = [];
  let date1904 = false;
  const tag = newTag();
  for (let i = 0; nextTag(buf, i, tag); i = tag.end) {
    if (tag.close) continue;
    if (isName(buf, tag, SHEET)) {
      sheets.push({ name: attr(buf, tag, 'name') ?? '', relId: attr(buf, tag, 'id') ?? '' });
    } else if (isName(buf, tag, WORKBOOK_PR)) {
      const value = attr(buf, tag, 'date1904');
      date1904 = value === '1' || value === 'true';
    }
  }
  return { sheets, date1904 };
}

function parseRelationships(bytes: Uint8Array | undefined): Relationship[] {
  if (!bytes) return [];
  const buf = toBuffer(bytes);
  const rels: Relationship[] = [];
  const tag = newTag();
  for (let i = 0; nextTag(buf, i, tag); i = tag.end) {
    if (tag.close || !isName(buf, tag, RELATIONSHIP)) continue;
    rels.push({
      id: attr(buf, tag, 'Id') ?? '',
      type: attr(buf, tag, 'Type') ?? '',
      target: attr(buf, tag, 'Target') ?? '',
    });
  }
  return rels;
}

function chooseSheet(
  sheets: readonly SheetRef[],
  rels: readonly Relationship[],
  wanted: string | undefined,
): { name: string; target: string } {
  const names = sheets.map((sheet) => sheet.name);
  const targetOf = (sheet: SheetRef) => rels.find((rel) => rel.id === sheet.relId);
  let sheet: SheetRef | undefined;
  if (wanted !== undefined) {
    const folded = wanted.trim().toLowerCase();
    sheet =
      sheets.find((s) => s.name === wanted) ??
      sheets.find((s) => s.name.trim().toLowerCase() === folded);
    if (!sheet) {
      throw new ParseError('XLSX_SHEET_NOT_FOUND', `The workbook has no sheet "${wanted}"`, {
        hint:
          `Name the data sheet "${wanted}", or upload the data as CSV. ` +
          `Sheets found: ${names.join(', ')}.`,
      });
    }
  } else {
    // a chart sheet holds no cells, so the first sheet that is a worksheet is the data
    sheet = sheets.find((s) => targetOf(s)?.type.endsWith('/worksheet')) ?? sheets[0];
  }
  const rel = sheet && targetOf(sheet);
  if (!sheet || !rel) throw unreadable('it has no worksheet');
  return { name: sheet.name, target: rel.target };
}

function partOfType(
  rels: readonly Relationship[],
  typeSuffix: string,
  workbookPath: string,
): string | undefined {
  const rel = rels.find((r) => r.type.endsWith(typeSuffix));
  return rel ? resolvePart(directoryOf(workbookPath), rel.target) : undefined;
}

function directoryOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Relationship targets are relative to the source part's folder unless they start with `/`. */
function resolvePart(baseDir: string, target: string): string {
  const raw = target.startsWith('/') ? target.slice(1) : baseDir + target;
  const parts: string[] = [];
  for (const segment of raw.split('/')) {
    if (segment === '..') parts.pop();
    else if (segment !== '.' && segment !== '') parts.push(segment);
  }
  return parts.join('/');
}

function parseSharedStrings(bytes: Uint8Array | undefined): string[] {
  if (!bytes) return [];
  const buf = toBuffer(bytes);
  const strings: string[] = [];
  const tag = newTag();
  const text = { value: '' };
  let i = 0;
  while (nextTag(buf, i, tag)) {
    i = tag.end;
    if (tag.close || !isName(buf, tag, SI)) continue;
    if (tag.selfClose) {
      strings.push('');
      continue;
    }
    const end = readRichText(buf, i, SI, text);
    if (end < 0) throw unreadable('its shared strings are truncated');
    strings.push(text.value);
    i = end;
  }
  return strings;
}

/** Built-in number formats treated as dates (ECMA-376 §18.8.30: 14–22 and 45–47). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47]);

/** For each cell style index: does it display its number as a date? */
function parseDateStyles(bytes: Uint8Array | undefined): boolean[] {
  if (!bytes) return [];
  const buf = toBuffer(bytes);
  const customFormats = new Map<number, string>();
  const styles: boolean[] = [];
  const formatIds: number[] = [];
  const tag = newTag();
  let inCellXfs = false;
  for (let i = 0; nextTag(buf, i, tag); i = tag.end) {
    if (isName(buf, tag, CELL_XFS)) {
      inCellXfs = !tag.close && !tag.selfClose;
    } else if (tag.close) {
      // only start tags carry attributes
    } else if (isName(buf, tag, NUM_FMT)) {
      const id = Number(attr(buf, tag, 'numFmtId'));
      customFormats.set(id, attr(buf, tag, 'formatCode') ?? '');
    } else if (inCellXfs && isName(buf, tag, XF)) {
      formatIds.push(Number(attr(buf, tag, 'numFmtId') ?? '0'));
    }
  }
  for (const id of formatIds) {
    const custom = customFormats.get(id);
    styles.push(custom === undefined ? BUILT_IN_DATE_FORMATS.has(id) : isDateFormatCode(custom));
  }
  return styles;
}

/**
 * A number format shows a date when it has day, month or year codes outside quoted text, `[...]`
 * sections (colours, locales, elapsed time) and escaped characters. `m` next to `h` or `s` and no
 * d/y is minutes, so a pure time format is not a date.
 */
export function isDateFormatCode(code: string): boolean {
  let letters = '';
  for (let i = 0; i < code.length; i += 1) {
    const ch = code[i]!;
    if (ch === '"') {
      const close = code.indexOf('"', i + 1);
      i = close === -1 ? code.length : close;
    } else if (ch === '[') {
      const close = code.indexOf(']', i + 1);
      i = close === -1 ? code.length : close;
    } else if (ch === '\\' || ch === '_' || ch === '*') {
      i += 1;
    } else {
      letters += ch.toLowerCase();
    }
  }
  if (/[dy]/.test(letters)) return true;
  return letters.includes('m') && !/[hs]/.test(letters);
}

// ---------------------------------------------------------------------------------------------
// Sheet rows.

interface SheetContext {
  readonly sharedStrings: readonly string[];
  readonly dateStyles: readonly boolean[];
  readonly date1904: boolean;
  readonly maxCellBytes: number;
  readonly maxColumns: number;
  readonly info: XlsxInfo;
}

const TYPE_NUMBER = 0;
const TYPE_SHARED = 1;
const TYPE_STRING = 2;
const TYPE_INLINE = 3;
const TYPE_BOOLEAN = 4;
const TYPE_ERROR = 5;
const TYPE_DATE = 6;

/** Resumable over pieces of sheet XML: parses whole rows and reports how far it got. */
class SheetParser {
  done = false;
  started = false;
  private inSheetData = false;
  private lastRow = 0;
  private readonly tag = newTag();
  private readonly cellTag = newTag();
  private readonly text = { value: '' };
  private cellColumn = -1;
  private cellType = TYPE_NUMBER;
  private cellStyle = 0;

  constructor(private readonly ctx: SheetContext) {}

  /** Parses every complete row in `buf`; returns the offset of the first byte not consumed. */
  parse(buf: Buffer, out: CsvRow[]): number {
    const tag = this.tag;
    let i = 0;
    while (!this.done && nextTag(buf, i, tag)) {
      if (!this.inSheetData) {
        if (isName(buf, tag, SHEET_DATA) && !tag.close) {
          this.started = true;
          this.inSheetData = !tag.selfClose;
          this.done = tag.selfClose;
        }
      } else if (tag.close) {
        if (isName(buf, tag, SHEET_DATA)) this.done = true;
      } else if (isName(buf, tag, ROW)) {
        const declared = attrInt(buf, tag, R_ATTR);
        const rowNumber = declared > 0 ? declared : this.lastRow + 1;
        if (!tag.selfClose) {
          const end = this.parseRow(buf, tag.end, rowNumber, out);
          if (end < 0) return tag.start;
          this.lastRow = rowNumber;
          i = end;
          continue;
        }
        this.lastRow = rowNumber;
      }
      i = tag.end;
    }
    return i;
  }

  /** Returns the offset after `</row>`, or -1 when the row continues past `buf`. */
  private parseRow(buf: Buffer, from: number, rowNumber: number, out: CsvRow[]): number {
    const tag = this.cellTag;
    const cells: string[] = [];
    let formulas = 0;
    let column = -1;
    let p = from;
    for (;;) {
      if (!nextTag(buf, p, tag)) return -1;
      p = tag.end;
      if (tag.close) {
        if (isName(buf, tag, ROW)) break;
        continue;
      }
      if (!isName(buf, tag, C)) continue;
      this.readCellAttributes(buf, tag);
      column = this.cellColumn >= 0 ? this.cellColumn : column + 1;
      if (tag.selfClose) continue;
      const type = this.cellType;
      const style = this.cellStyle;
      let raw: string | undefined;
      let inline: string | undefined;
      for (;;) {
        if (!nextTag(buf, p, tag)) return -1;
        p = tag.end;
        if (tag.close) {
          if (isName(buf, tag, C)) break;
        } else if (isName(buf, tag, V)) {
          if (tag.selfClose) {
            raw = '';
            continue;
          }
          const end = readText(buf, p, this.text);
          if (end < 0) return -1;
          raw = this.text.value;
          p = end;
        } else if (isName(buf, tag, F)) {
          formulas += 1;
        } else if (isName(buf, tag, IS) && !tag.selfClose) {
          const end = readRichText(buf, p, IS, this.text);
          if (end < 0) return -1;
          inline = this.text.value;
          p = end;
        }
      }
      const value = this.cellValue(type, style, raw, inline, rowNumber);
      if (value !== '') this.place(cells, column, value, rowNumber);
    }
    this.ctx.info.formulaCells += formulas;
    if (cells.length > 0) out.push({ row: rowNumber, line: rowNumber, cells });
    return p;
  }

  private place(cells: string[], column: number, value: string, row: number): void {
    const { maxColumns, maxCellBytes } = this.ctx;
    if (column >= maxColumns) {
      throw new ParseError('TOO_MANY_COLUMNS', `Row ${row} has more than ${maxColumns} columns`, {
        hint:
          `A row may have at most ${maxColumns} columns. ` +
          'Remove stray values to the right of the data.',
        row,
      });
    }
    if (value.length * 3 > maxCellBytes && Buffer.byteLength(value) > maxCellBytes) {
      throw new ParseError(
        'CELL_TOO_LONG',
        `Row ${row}, column ${column + 1}: cell is longer than ${maxCellBytes} bytes`,
        { hint: `Cells may hold at most ${maxCellBytes} bytes.`, row },
      );
    }
    while (cells.length < column) cells.push('');
    cells[column] = value;
  }

  private readCellAttributes(buf: Buffer, tag: Tag): void {
    this.cellColumn = -1;
    this.cellType = TYPE_NUMBER;
    this.cellStyle = 0;
    const span = ATTR;
    for (
      let p = nextAttr(buf, tag.attrStart, tag.attrEnd, span);
      p >= 0;
      p = nextAttr(buf, p, tag.attrEnd, span)
    ) {
      if (span.nameEnd - span.nameStart !== 1) continue;
      const name = buf[span.nameStart];
      if (name === 0x72 /* r */) this.cellColumn = columnIndex(buf, span.valueStart, span.valueEnd);
      else if (name === 0x73 /* s */)
        this.cellStyle = parseDigits(buf, span.valueStart, span.valueEnd);
      else if (name === 0x74 /* t */) this.cellType = cellType(buf, span.valueStart, span.valueEnd);
    }
  }

  private cellValue(
    type: number,
    style: number,
    raw: string | undefined,
    inline: string | undefined,
    row: number,
  ): string {
    switch (type) {
      case TYPE_SHARED: {
        if (raw === undefined || raw === '') return '';
        const value = this.ctx.sharedStrings[Number(raw)];
        if (value === undefined) throw unreadable(`row ${row} points at a missing shared string`);
        return value;
      }
      case TYPE_INLINE:
        return inline ?? unescapeXString(raw ?? '');
      case TYPE_STRING:
        return unescapeXString(raw ?? '');
      case TYPE_BOOLEAN:
        return raw === '1' ? 'TRUE' : raw === '0' ? 'FALSE' : (raw ?? '');
      case TYPE_ERROR:
        return raw ?? '';
      case TYPE_DATE:
        return raw === undefined ? '' : /^\d{4}-\d{2}-\d{2}/.test(raw) ? raw.slice(0, 10) : raw;
      default: {
        if (raw === undefined || raw === '') return inline ?? '';
        if (this.ctx.dateStyles[style] === true) return serialToIsoDate(raw, this.ctx.date1904);
        return formatNumber(raw);
      }
    }
  }
}

function cellType(buf: Buffer, start: number, end: number): number {
  const first = buf[start];
  const length = end - start;
  if (first === 0x73 /* s */) return length === 1 ? TYPE_SHARED : TYPE_STRING;
  if (first === 0x69 /* i */) return TYPE_INLINE;
  if (first === 0x62 /* b */) return TYPE_BOOLEAN;
  if (first === 0x65 /* e */) return TYPE_ERROR;
  if (first === 0x64 /* d */) return TYPE_DATE;
  return TYPE_NUMBER;
}

/** `B12` → 1; -1 when the reference has no column letters. */
function columnIndex(buf: Buffer, start: number, end: number): number {
  let column = 0;
  for (let i = start; i < end; i += 1) {
    const b = buf[i]!;
    if (b >= 0x41 && b <= 0x5a) column = column * 26 + b - 0x40;
    else if (b >= 0x61 && b <= 0x7a) column = column * 26 + b - 0x60;
    else break;
  }
  return column - 1;
}

function parseDigits(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i += 1) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Values as Excel shows them.

/** Excel keeps 15 significant digits; rounding there turns `4010232136.9999998` to `4010232137`. */
export function formatNumber(raw: string): string {
  if (/^-?\d{1,15}$/.test(raw)) return raw;
  const n = Number(raw);
  if (!Number.isFinite(n)) return raw;
  return plainDecimal(Number(n.toPrecision(15)));
}

/** `1.5e-7` → `0.00000015`, `4.01e+21` → `4010000000000000000000`. */
function plainDecimal(n: number): string {
  const text = String(n);
  const e = text.indexOf('e');
  if (e === -1) return text;
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = mantissa.replace('.', '');
  const integerLength = (dot === -1 ? mantissa.length : dot) + exponent;
  let plain: string;
  if (integerLength <= 0) plain = `0.${'0'.repeat(-integerLength)}${digits}`;
  else if (integerLength >= digits.length)
    plain = digits + '0'.repeat(integerLength - digits.length);
  else plain = `${digits.slice(0, integerLength)}.${digits.slice(integerLength)}`;
  return negative ? `-${plain}` : plain;
}

const DAYS_1899_12_30 = -25569;
const DAYS_1904_01_01 = -24107;
/** 9999-12-31, Excel's last date. */
const MAX_SERIAL = 2958465;

/**
 * Excel serial → `YYYY-MM-DD`. The 1900 system counts a 29 February 1900 that never was (serial
 * 60, kept so validation rejects it); serials before it are one day off from the epoch used after
 * it. The time of day is dropped. Values that cannot be a date are returned as plain numbers.
 */
export function serialToIsoDate(raw: string, date1904: boolean): string {
  const serial = Number(raw);
  // half a millisecond: a time stored as 0.99999999999 is midnight of the next day, as Excel shows
  const days = Math.floor(serial + 0.5 / 86_400_000);
  if (!Number.isFinite(serial) || days < (date1904 ? 0 : 1) || days > MAX_SERIAL) {
    return formatNumber(raw);
  }
  if (date1904) return isoDate(DAYS_1904_01_01 + days);
  if (days === 60) return '1900-02-29';
  return isoDate(DAYS_1899_12_30 + days + (days < 60 ? 1 : 0));
}

/** Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian; Hinnant's civil_from_days). */
function isoDate(daysSinceEpoch: number): string {
  const z = daysSinceEpoch + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

// ---------------------------------------------------------------------------------------------
// A minimal XML scanner over bytes: tags, attributes and text, nothing else. Spreadsheet parts are
// machine-written, so this skips what they never need (namespaces beyond stripping a prefix, DTDs).

interface Tag {
  start: number;
  end: number;
  close: boolean;
  selfClose: boolean;
  nameStart: number;
  nameEnd: number;
  attrStart: number;
  attrEnd: number;
}

interface AttrSpan {
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const COLON = 0x3a;
const EQUALS = 0x3d;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

const name = (text: string) => Buffer.from(text, 'latin1');
const ROW = name('row');
const C = name('c');
const V = name('v');
const F = name('f');
const T = name('t');
const IS = name('is');
const SI = name('si');
const RPH = name('rPh');
const SHEET = name('sheet');
const SHEET_DATA = name('sheetData');
const WORKBOOK_PR = name('workbookPr');
const RELATIONSHIP = name('Relationship');
const NUM_FMT = name('numFmt');
const CELL_XFS = name('cellXfs');
const XF = name('xf');
const R_ATTR = name('r');

const ATTR: AttrSpan = { nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0 };

function newTag(): Tag {
  return {
    start: 0,
    end: 0,
    close: false,
    selfClose: false,
    nameStart: 0,
    nameEnd: 0,
    attrStart: 0,
    attrEnd: 0,
  };
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Reads the next element tag at or after `from` into `tag`, skipping comments, processing
 * instructions, DOCTYPE and CDATA. False when no complete tag follows in `buf`.
 */
function nextTag(buf: Buffer, from: number, tag: Tag): boolean {
  const limit = buf.length;
  let i = from;
  for (;;) {
    // in sheet XML the next tag usually starts at `from`: skip the native search then
    const lt = buf[i] === LT ? i : buf.indexOf(LT, i);
    if (lt === -1 || lt + 1 >= limit) return false;
    const second = buf[lt + 1];
    if (second === BANG || second === QUESTION) {
      const after = skipMarkup(buf, lt);
      if (after < 0) return false;
      i = after;
      continue;
    }
    const close = second === SLASH;
    let p = close ? lt + 2 : lt + 1;
    let nameStart = p;
    for (; p < limit; p += 1) {
      const b = buf[p]!;
      if (b === GT || b === SLASH || isSpace(b)) break;
      if (b === COLON) nameStart = p + 1;
    }
    const nameEnd = p;
    let quote = 0;
    for (; p < limit; p += 1) {
      const b = buf[p]!;
      if (quote !== 0) {
        if (b === quote) quote = 0;
      } else if (b === DOUBLE_QUOTE || b === SINGLE_QUOTE) {
        quote = b;
      } else if (b === GT) {
        break;
      }
    }
    if (p >= limit) return false;
    tag.start = lt;
    tag.end = p + 1;
    tag.close = close;
    tag.selfClose = buf[p - 1] === SLASH;
    tag.nameStart = nameStart;
    tag.nameEnd = nameEnd;
    tag.attrStart = nameEnd;
    tag.attrEnd = tag.selfClose ? p - 1 : p;
    return true;
  }
}

/** Offset after a `<!…>` or `<?…?>` construct starting at `lt`, or -1 when it is incomplete. */
function skipMarkup(buf: Buffer, lt: number): number {
  let terminator = '>';
  if (buf[lt + 1] === QUESTION) terminator = '?>';
  else if (startsWith(buf, lt, '<!--')) terminator = '-->';
  else if (startsWith(buf, lt, CDATA_OPEN)) terminator = ']]>';
  const at = buf.indexOf(terminator, lt + 2, 'latin1');
  return at === -1 ? -1 : at + terminator.length;
}

const CDATA_OPEN = '<![CDATA[';

function startsWith(buf: Buffer, at: number, text: string): boolean {
  if (at + text.length > buf.length) return false;
  for (let k = 0; k < text.length; k += 1) {
    if (buf[at + k] !== text.charCodeAt(k)) return false;
  }
  return true;
}

function isName(buf: Buffer, tag: Tag, wanted: Buffer): boolean {
  const length = tag.nameEnd - tag.nameStart;
  if (length !== wanted.length) return false;
  for (let k = 0; k < length; k += 1) {
    if (buf[tag.nameStart + k] !== wanted[k]) return false;
  }
  return true;
}

/** Reads the next attribute in [pos, end) into `span`; returns the offset after it, or -1. */
function nextAttr(buf: Buffer, pos: number, end: number, span: AttrSpan): number {
  let p = pos;
  while (p < end && isSpace(buf[p]!)) p += 1;
  if (p >= end) return -1;
  span.nameStart = p;
  for (; p < end; p += 1) {
    const b = buf[p]!;
    if (b === EQUALS || isSpace(b)) break;
    if (b === COLON) span.nameStart = p + 1;
  }
  span.nameEnd = p;
  while (p < end && buf[p] !== DOUBLE_QUOTE && buf[p] !== SINGLE_QUOTE) p += 1;
  if (p >= end) return -1;
  const quote = buf[p]!;
  span.valueStart = p + 1;
  const close = buf.indexOf(quote, p + 1);
  if (close === -1 || close >= end) return -1;
  span.valueEnd = close;
  return close + 1;
}

/** An attribute's decoded value, matched on its local name (`r:id` matches `id`). */
function attr(buf: Buffer, tag: Tag, wanted: string): string | undefined {
  const span: AttrSpan = { nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0 };
  for (
    let p = nextAttr(buf, tag.attrStart, tag.attrEnd, span);
    p >= 0;
    p = nextAttr(buf, p, tag.attrEnd, span)
  ) {
    if (buf.toString('latin1', span.nameStart, span.nameEnd) === wanted) {
      return decodeEntities(buf.toString('utf8', span.valueStart, span.valueEnd));
    }
  }
  return undefined;
}

function attrInt(buf: Buffer, tag: Tag, wanted: Buffer): number {
  for (
    let p = nextAttr(buf, tag.attrStart, tag.attrEnd, ATTR);
    p >= 0;
    p = nextAttr(buf, p, tag.attrEnd, ATTR)
  ) {
    if (ATTR.nameEnd - ATTR.nameStart === wanted.length && buf[ATTR.nameStart] === wanted[0]) {
      return parseDigits(buf, ATTR.valueStart, ATTR.valueEnd);
    }
  }
  return 0;
}

/**
 * Text from `from` to the next element tag, CDATA included, entities decoded, into `out.value`.
 * Returns the offset of that tag, or -1 when it is not in `buf`.
 */
function readText(buf: Buffer, from: number, out: { value: string }): number {
  let value = '';
  let i = from;
  for (;;) {
    // cell values are short: a plain loop beats a native search here
    let lt = i;
    while (lt < buf.length && buf[lt] !== LT) lt += 1;
    if (lt === buf.length) return -1;
    if (lt > i) value += decodeText(buf, i, lt);
    if (!startsWith(buf, lt, CDATA_OPEN)) {
      out.value = value;
      return lt;
    }
    const close = buf.indexOf(']]>', lt + 9, 'latin1');
    if (close === -1) return -1;
    value += buf.toString('utf8', lt + 9, close);
    i = close + 3;
  }
}

/**
 * Concatenated `<t>` runs up to the close of `container` (`si` or `is`), leaving out phonetic
 * `<rPh>` runs. Returns the offset after the closing tag, or -1 when it is not in `buf`.
 */
function readRichText(
  buf: Buffer,
  from: number,
  container: Buffer,
  out: { value: string },
): number {
  const tag = newTag();
  let value = '';
  let phonetic = false;
  let p = from;
  for (;;) {
    if (!nextTag(buf, p, tag)) return -1;
    p = tag.end;
    if (tag.close) {
      if (isName(buf, tag, container)) break;
      if (isName(buf, tag, RPH)) phonetic = false;
    } else if (isName(buf, tag, RPH)) {
      phonetic = !tag.selfClose;
    } else if (isName(buf, tag, T) && !tag.selfClose) {
      const end = readText(buf, p, out);
      if (end < 0) return -1;
      if (!phonetic) value += out.value;
      p = end;
    }
  }
  out.value = unescapeXString(value);
  return p;
}

function decodeText(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, end);
  return text.includes('&') ? decodeEntities(text) : text;
}

const ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
};

export function decodeEntities(text: string): string {
  return text.replace(
    ENTITY,
    (match, decimal: string | undefined, hex: string | undefined, named: string | undefined) => {
      if (named !== undefined) return NAMED_ENTITIES[named] ?? match;
      const codePoint = decimal !== undefined ? Number(decimal) : Number.parseInt(hex ?? '', 16);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : match;
    },
  );
}

/** Excel writes characters XML cannot hold (e.g. a carriage return) as `_x000D_`. */
function unescapeXString(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function unreadable(reason: string): ParseError {
  return new ParseError('XLSX_UNREADABLE', `The workbook cannot be read: ${reason}`, {
    hint:
      'Open the file in Excel and save it again as .xlsx (Excel Workbook), or save the data ' +
      'sheet as CSV UTF-8, and upload it again.',
  });
}

function zipBomb(part: string, reason: string): ParseError {
  return new ParseError('XLSX_ZIP_BOMB', `The workbook part ${part} ${reason}`, {
    hint:
      'The workbook is larger than the platform accepts once uncompressed. Remove unused ' +
      'sheets and formatting, or upload the data as CSV.',
  });
}
