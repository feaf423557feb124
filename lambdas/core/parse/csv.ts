import { ParseError } from './errors';

/**
 * One record of an uploaded file, as text cells.
 *
 * Numbering: `row` counts records, blank ones included, so it is the row number a trust sees
 * when it opens the file in a spreadsheet (the header is row 1). Blank records (no bytes, or only
 * commas) are skipped but still consume their number. `line` is the physical line where the record
 * starts; it runs ahead of `row` once a quoted cell has contained a line break. XLSX rows reuse
 * this shape with `row` and `line` both the sheet's row number.
 */
export interface CsvRow {
  readonly row: number;
  readonly line: number;
  readonly cells: string[];
}

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'windows-1252';

/** Limits that keep one hostile or broken row from exhausting memory. */
export interface ReadLimits {
  /**
   * Longest cell accepted, in bytes of its text (UTF-8, or a byte a character in Windows-1252).
   * @default 32 KiB
   */
  readonly maxCellBytes?: number;
  /** Most cells a row may have. @default 512 */
  readonly maxColumns?: number;
}

export interface CsvOptions extends ReadLimits {
  /**
   * Encoding to use when the file has no byte-order mark (a trust's known export encoding).
   * @default - detected from the first 64 KiB: UTF-8 when valid, else Windows-1252
   */
  readonly encoding?: CsvEncoding;
  /** Called once, before the first row, with the encoding the file is read in. */
  readonly onEncoding?: (encoding: CsvEncoding) => void;
}

export interface CsvFile {
  readonly encoding: CsvEncoding;
  readonly rows: AsyncGenerator<CsvRow>;
}

export const DEFAULT_MAX_CELL_BYTES = 32 * 1024;
export const DEFAULT_MAX_COLUMNS = 512;
/** How much of a file decides its encoding and whether it is binary. */
export const ENCODING_SAMPLE_BYTES = 64 * 1024;

/** Big chunks are scanned in pieces, so the rows of one piece, not of a whole file, are held. */
const PIECE_BYTES = 64 * 1024;

const LF = 10;
const CR = 13;
const QUOTE = 34;
const COMMA = 44;

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;

/**
 * Reads CSV records from a byte stream without holding the file in memory.
 * Detection errors (binary, unsupported encoding) surface on the first iteration.
 */
export async function* readCsvRows(
  source: AsyncIterable<Uint8Array>,
  options: CsvOptions = {},
): AsyncGenerator<CsvRow> {
  const file = await openCsv(source, options);
  options.onEncoding?.(file.encoding);
  yield* file.rows;
}

/**
 * Detects the encoding from the first 64 KiB (read ahead, then replayed) and returns the rows.
 * Only that sample and the record in progress are ever buffered.
 */
export async function openCsv(
  source: AsyncIterable<Uint8Array>,
  options: CsvOptions = {},
): Promise<CsvFile> {
  const iterator = source[Symbol.asyncIterator]();
  const { head, done } = await readAhead(iterator, ENCODING_SAMPLE_BYTES);
  const { encoding, bomLength } = detectEncoding(head, done, options.encoding);
  const bytes = replay(head.subarray(bomLength), iterator, done);
  const chunks = encoding === 'utf-16le' ? utf16ToUtf8(bytes) : bytes;
  const decode = encoding === 'windows-1252' ? decodeWindows1252 : decodeUtf8;
  return { encoding, rows: scanRows(chunks, decode, options) };
}

function detectEncoding(
  head: Uint8Array,
  complete: boolean,
  preferred: CsvEncoding | undefined,
): { encoding: CsvEncoding; bomLength: number } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    return { encoding: 'utf-8', bomLength: 3 };
  }
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) {
    throw new ParseError('FILE_ENCODING_UNSUPPORTED', 'The file is UTF-16 big-endian text', {
      hint: 'Save the file as "CSV UTF-8 (comma delimited)" and upload it again.',
    });
  }
  // UTF-16 text is full of NUL bytes, so a configured UTF-16 skips the binary check
  if (preferred === 'utf-16le') return { encoding: preferred, bomLength: 0 };
  const sample = head.subarray(0, ENCODING_SAMPLE_BYTES);
  if (sample.indexOf(0) !== -1) {
    throw new ParseError('FILE_BINARY', 'The file contains binary data (NUL bytes)', {
      hint:
        'Upload the extract as CSV (UTF-8, comma delimited) or as an .xlsx workbook. ' +
        'A "Unicode text" export must be re-saved as CSV UTF-8.',
    });
  }
  if (preferred) return { encoding: preferred, bomLength: 0 };
  const whole = complete && head.length <= ENCODING_SAMPLE_BYTES;
  return { encoding: isUtf8(sample, whole) ? 'utf-8' : 'windows-1252', bomLength: 0 };
}

function isUtf8(sample: Uint8Array, whole: boolean): boolean {
  try {
    // streaming mode forgives a multi-byte character cut in half by the end of the sample
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !whole });
    return true;
  } catch {
    return false;
  }
}

async function readAhead(
  iterator: AsyncIterator<Uint8Array>,
  minBytes: number,
): Promise<{ head: Uint8Array; done: boolean }> {
  const parts: Uint8Array[] = [];
  let total = 0;
  while (total < minBytes) {
    const next = await iterator.next();
    if (next.done) return { head: concatBytes(parts, total), done: true };
    parts.push(next.value);
    total += next.value.length;
  }
  return { head: concatBytes(parts, total), done: false };
}

/** Joins byte arrays; one part is returned as is. */
export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const size = total ?? parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Yields what was read ahead, then the rest of the source; closes the source if abandoned. */
export async function* replay(
  head: Uint8Array,
  iterator: AsyncIterator<Uint8Array>,
  done: boolean,
): AsyncGenerator<Uint8Array> {
  let finished = done;
  try {
    if (head.length > 0) yield head;
    while (!finished) {
      const next = await iterator.next();
      if (next.done) finished = true;
      else yield next.value;
    }
  } finally {
    if (!finished) await iterator.return?.();
  }
}

async function* utf16ToUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const decoder = new TextDecoder('utf-16le');
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield Buffer.from(text, 'utf8');
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield Buffer.from(tail, 'utf8');
}

async function* scanRows(
  chunks: AsyncIterable<Uint8Array>,
  decode: Decode,
  limits: ReadLimits,
): AsyncGenerator<CsvRow> {
  const scanner = new CsvScanner(
    decode,
    limits.maxCellBytes ?? DEFAULT_MAX_CELL_BYTES,
    limits.maxColumns ?? DEFAULT_MAX_COLUMNS,
  );
  const out: CsvRow[] = [];
  for await (const chunk of chunks) {
    for (let offset = 0; offset < chunk.length; offset += PIECE_BYTES) {
      const end = Math.min(offset + PIECE_BYTES, chunk.length);
      scanner.push(asBuffer(chunk, offset, end), out);
      for (const row of out) yield row;
      out.length = 0;
    }
  }
  scanner.finish(out);
  yield* out;
}

function asBuffer(bytes: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start);
}

type Decode = (buf: Buffer, start: number, end: number) => string;

const decodeUtf8: Decode = (buf, start, end) => buf.toString('utf8', start, end);

/** Windows-1252 differs from Latin-1 only in 0x80–0x9F; unassigned bytes keep their C1 code. */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
].map((code) => String.fromCharCode(code));
const C1_CONTROL = /[\u0080-\u009f]/;
const C1_CONTROLS = /[\u0080-\u009f]/g;

const decodeWindows1252: Decode = (buf, start, end) => {
  const text = buf.toString('latin1', start, end);
  if (!C1_CONTROL.test(text)) return text;
  return text.replace(C1_CONTROLS, (ch) => WINDOWS_1252_HIGH[ch.charCodeAt(0) - 0x80]!);
};

/**
 * Byte-level RFC 4180 scanner, resumable at any byte. Records are framed on bytes (delimiters are
 * ASCII, so framing is the same in UTF-8 and Windows-1252); each complete record is decoded once
 * and split, which keeps string work to one decode per row on the common unquoted path.
 *
 * Leniency, as spreadsheet programs read CSV: a quote inside an unquoted cell is literal, and text
 * after a closing quote is appended to the cell (`"ab"c` reads `abc`).
 */
class CsvScanner {
  private buf: Buffer = Buffer.alloc(0);
  private len = 0;
  /** Reused home for an unfinished record and the chunk that follows it. */
  private spare: Buffer = Buffer.alloc(0);
  private pos = 0;
  private recordStart = 0;
  private fieldStart = 0;
  private state = FIELD_START;
  private commas = 0;
  private escapes = 0;
  private fieldQuoted = false;
  private hasQuote = false;
  private newlinesInRecord = 0;
  /** The previous record ended on CR at a chunk end: an LF that follows belongs to it. */
  private skipLf = false;
  private rowCount = 0;
  private line = 1;

  constructor(
    private readonly decode: Decode,
    private readonly maxCellBytes: number,
    private readonly maxColumns: number,
  ) {}

  push(chunk: Buffer, out: CsvRow[]): void {
    const carry = this.len - this.recordStart;
    if (carry === 0) {
      this.buf = chunk;
      this.len = chunk.length;
      this.pos = 0;
      this.fieldStart = 0;
    } else {
      const need = carry + chunk.length;
      let target = this.spare;
      if (target.length < need) {
        target = Buffer.allocUnsafe(Math.max(need, target.length * 2, PIECE_BYTES));
      }
      // a long record that started in the spare buffer is already in place
      if (target !== this.buf || this.recordStart !== 0) {
        this.buf.copy(target, 0, this.recordStart, this.len);
      }
      chunk.copy(target, carry);
      const shift = this.recordStart;
      this.spare = target;
      this.buf = target;
      this.len = need;
      this.pos -= shift;
      this.fieldStart -= shift;
    }
    this.recordStart = 0;
    this.scan(out);
  }

  finish(out: CsvRow[]): void {
    if (this.state === QUOTED) {
      throw new ParseError(
        'CSV_UNTERMINATED_QUOTE',
        `Row ${this.rowCount + 1} (line ${this.line}): a quoted cell is never closed`,
        {
          hint:
            'A cell opens a double quote (") that is not closed before the end of the file. ' +
            'Fix the quoting in that row, or export the file again.',
          row: this.rowCount + 1,
          line: this.line,
        },
      );
    }
    if (this.len > this.recordStart) {
      if (this.state !== FIELD_START) this.checkCellLength(this.len, false);
      this.endRecord(this.len, out);
    }
  }

  private scan(out: CsvRow[]): void {
    const buf = this.buf;
    const len = this.len;
    let i = this.pos;
    let state = this.state;
    if (this.skipLf && i < len) {
      this.skipLf = false;
      if (buf[i] === LF) {
        i += 1;
        this.recordStart = i;
      }
    }
    while (i < len) {
      if (state === FIELD_START) {
        if (buf[i] === QUOTE) {
          state = QUOTED;
          this.hasQuote = true;
          i += 1;
          this.fieldStart = i;
          this.escapes = 0;
          this.fieldQuoted = true;
          continue;
        }
        state = UNQUOTED;
        this.fieldStart = i;
        this.escapes = 0;
        this.fieldQuoted = false;
      }
      let b = 0;
      if (state === UNQUOTED) {
        while (i < len) {
          b = buf[i]!;
          if (b <= COMMA && (b === COMMA || b === LF || b === CR)) break;
          i += 1;
        }
        if (i === len) break;
      } else if (state === QUOTED) {
        let newlines = 0;
        while (i < len) {
          b = buf[i]!;
          if (b === QUOTE) break;
          if (b === CR || (b === LF && buf[i - 1] !== CR)) newlines += 1;
          i += 1;
        }
        this.newlinesInRecord += newlines;
        if (i === len) break;
        state = QUOTE_IN_QUOTED;
        i += 1;
        continue;
      } else {
        b = buf[i]!;
        if (b === QUOTE) {
          this.escapes += 1;
          state = QUOTED;
          i += 1;
          continue;
        }
        if (b !== COMMA && b !== CR && b !== LF) {
          state = UNQUOTED;
          continue;
        }
      }
      // b ends the field: a comma, or CR / LF ending the record
      this.checkCellLength(i, false);
      if (b === COMMA) {
        this.commas += 1;
        if (this.commas >= this.maxColumns) this.tooManyColumns();
        state = FIELD_START;
        i += 1;
        continue;
      }
      this.endRecord(i, out);
      state = FIELD_START;
      i += 1;
      if (b === CR) {
        if (i === len) this.skipLf = true;
        else if (buf[i] === LF) i += 1;
      }
      this.recordStart = i;
    }
    this.pos = i;
    this.state = state;
    if (state === UNQUOTED || state === QUOTED) this.checkCellLength(len, state === QUOTED);
  }

  /** Bytes of the current field's text up to `end`: quotes that are syntax do not count. */
  private checkCellLength(end: number, runaway: boolean): void {
    const closingQuote = this.fieldQuoted && !runaway ? 1 : 0;
    const length = end - this.fieldStart - this.escapes - closingQuote;
    if (length <= this.maxCellBytes) return;
    const row = this.rowCount + 1;
    const column = this.commas + 1;
    throw new ParseError(
      'CELL_TOO_LONG',
      `Row ${row} (line ${this.line}), column ${column}: ` +
        `cell is longer than ${this.maxCellBytes} bytes`,
      {
        hint: runaway
          ? 'A quoted cell runs on past the size limit: a double quote (") in this row is ' +
            'probably not closed. Fix the quoting and upload again.'
          : `Cells may hold at most ${this.maxCellBytes} bytes. Check that the file is ` +
            'comma-delimited and that this column holds the expected data.',
        row,
        line: this.line,
      },
    );
  }

  private tooManyColumns(): never {
    const row = this.rowCount + 1;
    throw new ParseError(
      'TOO_MANY_COLUMNS',
      `Row ${row} (line ${this.line}) has more than ${this.maxColumns} columns`,
      {
        hint:
          `A row may have at most ${this.maxColumns} columns. Check that the file is ` +
          'comma-delimited and that cells containing commas are quoted.',
        row,
        line: this.line,
      },
    );
  }

  private endRecord(end: number, out: CsvRow[]): void {
    const start = this.recordStart;
    this.rowCount += 1;
    if (end > start) {
      const text = this.decode(this.buf, start, end);
      const cells = this.hasQuote ? splitQuoted(text) : text.split(',');
      const blank = this.hasQuote
        ? cells.every((cell) => cell === '')
        : text.length === this.commas;
      if (!blank) out.push({ row: this.rowCount, line: this.line, cells });
    }
    this.line += 1 + this.newlinesInRecord;
    this.newlinesInRecord = 0;
    this.commas = 0;
    this.hasQuote = false;
  }
}

/** Splits one framed record that contains quotes; the scanner has already checked its shape. */
function splitQuoted(text: string): string[] {
  const cells: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) {
      const comma = text.indexOf(',', i);
      if (comma === -1) {
        cells.push(text.slice(i));
        return cells;
      }
      cells.push(text.slice(i, comma));
      i = comma + 1;
      continue;
    }
    let value = '';
    let from = i + 1;
    for (;;) {
      const quote = text.indexOf('"', from);
      if (quote === -1) {
        value += text.slice(from);
        i = n;
        break;
      }
      if (text.charCodeAt(quote + 1) === QUOTE) {
        value += text.slice(from, quote + 1);
        from = quote + 2;
        continue;
      }
      value += text.slice(from, quote);
      i = quote + 1;
      break;
    }
    const comma = text.indexOf(',', i);
    const fieldEnd = comma === -1 ? n : comma;
    if (fieldEnd > i) value += text.slice(i, fieldEnd);
    cells.push(value);
    if (comma === -1) return cells;
    i = comma + 1;
  }
}
