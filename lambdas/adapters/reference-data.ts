import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Unzip, UnzipInflate } from 'fflate';
import { TransientError } from '../core/errors';
import {
  type ImdEdition,
  type ReferenceData,
  ReferenceDataBuilder,
  ReferenceDataError,
  type ReferenceSource,
} from '../core/reference';

/**
 * Loads the deprivation reference data from CSV files: a directory given by the caller, else
 * `REFERENCE_DATA_DIR`, else `../shared/data` beside the working directory (the repository
 * layout), else the official files downloaded once into a cache directory. The loaded data is
 * kept per process, so a warm Lambda pays for parsing once.
 *
 * Official files are reduced on download to the columns we use, under our column names, so the
 * cache holds small files in the same shape as `shared/data` and one parser reads both.
 */

export type ReferenceFileId = 'imd2025' | 'imd2019' | 'bestFit' | 'postcode';

export interface OfficialSource {
  readonly url: string;
  readonly format: 'csv' | 'zip';
  /** ZIP only: the entry holding the table. */
  readonly entry?: RegExp;
}

/** From shared/data/SOURCES.md "Official download URLs" (rows 1, 3, 9 and 11). */
export const OFFICIAL_SOURCES: Readonly<Record<ReferenceFileId, OfficialSource>> = {
  imd2025: {
    url: 'https://assets.publishing.service.gov.uk/media/691ded56d140bbbaa59a2a7d/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv',
    format: 'csv',
  },
  imd2019: {
    url: 'https://assets.publishing.service.gov.uk/media/5dc407b440f0b6379a7acc8d/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv',
    format: 'csv',
  },
  bestFit: {
    url: 'https://open-geography-portalx-ons.hub.arcgis.com/api/download/v1/items/b684a0dbf786473f9563ec0616da2f8b/csv?layers=0',
    format: 'csv',
  },
  postcode: {
    // ONS "Postcode to OA (2021) to LSOA to MSOA to LAD (November 2025) Best Fit Lookup in the UK".
    url: 'https://www.arcgis.com/sharing/rest/content/items/c4f84c38814d4b82aa4760ade686c3cc/data',
    format: 'zip',
    entry:
      /(?:^|\/)(?:PCD_OA21_LSOA21_MSOA21_LAD_[A-Z]{3}\d{2}_UK_LU|NSPL_[A-Z]{3}_\d{4}_UK|ONSPD_[A-Z]{3}_\d{4}_UK)\.csv$/i,
  },
};

export interface ColumnSpec {
  /** Header names matched exactly (case-insensitive). */
  readonly exact: readonly string[];
  /** Header prefixes (the official IoD headers are long and one is truncated). */
  readonly prefix?: readonly string[];
  readonly required: boolean;
}

export interface TableSpec {
  /** File names looked for in a directory, in order; the first is the cache's name. */
  readonly files: readonly string[];
  /** Our column name → how to find it in our files and in the official ones. */
  readonly columns: Readonly<Record<string, ColumnSpec>>;
}

const DECILE: ColumnSpec = {
  exact: ['imd_decile'],
  prefix: ['index of multiple deprivation (imd) decile'],
  required: true,
};

export const TABLES: Readonly<Record<ReferenceFileId, TableSpec>> = {
  imd2025: {
    files: ['imd2025_lsoa21_england.csv'],
    columns: {
      lsoa21_code: {
        exact: ['lsoa21_code', 'lsoa21cd'],
        prefix: ['lsoa code (2021)'],
        required: true,
      },
      lad_code: {
        exact: ['lad24_code', 'lad_code', 'lad24cd'],
        prefix: ['local authority district code'],
        required: true,
      },
      imd_decile: DECILE,
    },
  },
  imd2019: {
    files: ['imd2019_lsoa11_england.csv'],
    columns: {
      lsoa11_code: {
        exact: ['lsoa11_code', 'lsoa11cd'],
        prefix: ['lsoa code (2011)'],
        required: true,
      },
      imd_decile: DECILE,
    },
  },
  bestFit: {
    files: ['lsoa11_lsoa21_best_fit_england.csv'],
    columns: {
      lsoa11_code: { exact: ['lsoa11_code', 'lsoa11cd', 'f_lsoa11cd'], required: true },
      lsoa21_code: { exact: ['lsoa21_code', 'lsoa21cd'], required: true },
      lad_code: { exact: ['lad22_code', 'lad22cd', 'lad_code'], required: false },
    },
  },
  postcode: {
    files: ['postcode_lsoa.csv', 'postcode_lsoa_nel.csv'],
    columns: {
      postcode: { exact: ['postcode', 'pcds'], required: true },
      lsoa21_code: { exact: ['lsoa21_code', 'lsoa21cd', 'lsoa21'], required: true },
      lad_code: { exact: ['lad_code', 'ladcd', 'laua', 'lad25cd', 'lad24cd'], required: false },
      lsoa11_code: {
        exact: ['lsoa11_code', 'lsoa11_code_derived', 'lsoa11cd', 'lsoa11'],
        required: false,
      },
    },
  },
};

const FILES_FOR: Readonly<Record<ImdEdition, readonly ReferenceFileId[]>> = {
  // The IoD2025 file is also the list of LSOA 2021s and their local authorities in 2019 mode.
  '2025': ['imd2025', 'bestFit', 'postcode'],
  '2019': ['imd2025', 'imd2019', 'bestFit', 'postcode'],
};

export const MANIFEST = 'manifest.json';

// ---------------------------------------------------------------------------------------------
// CSV

/**
 * Splits one CSV line. Reference files quote fields that contain commas (e.g. "Kingston upon
 * Hull, City of"); a doubled quote inside quotes is a literal quote. Fields never span lines.
 */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i];
    if (quoted) {
      if (char === '"') {
        if (line[i + 1] === '"') {
          field += '"';
          i += 1;
        } else quoted = false;
      } else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field);
      field = '';
    } else field += char;
  }
  fields.push(field);
  return fields;
}

/** Turns text chunks into complete lines (LF or CRLF), carrying partial lines over. */
class LineSplitter {
  private rest = '';
  push(text: string): string[] {
    const lines = (this.rest + text).split('\n');
    this.rest = lines.pop() ?? '';
    return lines.map(stripCr);
  }
  end(): string[] {
    const last = stripCr(this.rest);
    this.rest = '';
    return last === '' ? [] : [last];
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

/** Column positions of a table's columns in a header row (-1 when an optional one is absent). */
export function resolveColumns(
  spec: TableSpec,
  header: readonly string[],
  source: string,
): Record<string, number> {
  const names = header.map((name) =>
    name
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );
  const positions: Record<string, number> = {};
  for (const [column, { exact, prefix = [], required }] of Object.entries(spec.columns)) {
    let position = names.findIndex((name) => exact.includes(name));
    if (position < 0) position = names.findIndex((name) => prefix.some((p) => name.startsWith(p)));
    if (position < 0 && required) {
      throw new ReferenceDataError(
        'REFERENCE_COLUMN_MISSING',
        `${source}: no column for ${column} (looked for ${[...exact, ...prefix].join(', ')}).`,
      );
    }
    positions[column] = position;
  }
  return positions;
}

export type Row = (column: string) => string;

/** Reads a table row by row: header mapping first, then one callback per non-empty line. */
class TableReader {
  private positions: Record<string, number> | null = null;
  private fields: string[] = [];
  rows = 0;
  private readonly row: Row = (column) => {
    const position = this.positions?.[column] ?? -1;
    return position < 0 ? '' : (this.fields[position] ?? '').trim();
  };

  constructor(
    private readonly spec: TableSpec,
    private readonly source: string,
    private readonly onRow: (row: Row) => void,
  ) {}

  line(line: string): void {
    if (line.trim() === '') return;
    const fields = splitCsvLine(line);
    if (!this.positions) {
      this.positions = resolveColumns(this.spec, fields, this.source);
      return;
    }
    this.fields = fields;
    this.rows += 1;
    this.onRow(this.row);
  }

  finish(): void {
    if (!this.positions) {
      throw new ReferenceDataError('REFERENCE_COLUMN_MISSING', `${this.source}: no header row.`);
    }
  }
}

export async function readTable(
  path: string,
  spec: TableSpec,
  onRow: (row: Row) => void,
): Promise<number> {
  const reader = new TableReader(spec, basename(path), onRow);
  const decoder = new TextDecoder('utf-8');
  const splitter = new LineSplitter();
  for await (const chunk of createReadStream(path)) {
    for (const line of splitter.push(decoder.decode(chunk as Buffer, { stream: true }))) {
      reader.line(line);
    }
  }
  for (const line of splitter.push(decoder.decode())) reader.line(line);
  for (const line of splitter.end()) reader.line(line);
  reader.finish();
  return reader.rows;
}

// ---------------------------------------------------------------------------------------------
// Loading

export interface ManifestEntry {
  readonly url: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly rows: number;
  readonly downloadedAt: string;
}

export interface Manifest {
  readonly version: 1;
  files: Record<string, ManifestEntry>;
}

export async function readManifest(dir: string): Promise<Manifest> {
  try {
    const parsed = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Partial<Manifest>;
    if (parsed.version === 1 && parsed.files && typeof parsed.files === 'object') {
      return { version: 1, files: parsed.files };
    }
  } catch {
    // No (or an unreadable) manifest: treat the cache as empty.
  }
  return { version: 1, files: {} };
}

function findFile(dir: string, id: ReferenceFileId): string | undefined {
  return TABLES[id].files.map((file) => join(dir, file)).find((path) => existsSync(path));
}

const parseDecile = (value: string): number => {
  const decile = Number.parseInt(value, 10);
  return Number.isInteger(decile) ? decile : 0;
};

/** Parses the edition's files from a directory into compact reference data. */
export async function parseReferenceDirectory(
  dir: string,
  edition: ImdEdition,
): Promise<ReferenceData> {
  const manifest = await readManifest(dir);
  const builder = new ReferenceDataBuilder(edition);
  const read = async (id: ReferenceFileId, onRow: (row: Row) => void) => {
    const path = findFile(dir, id);
    if (!path) {
      throw new ReferenceDataError(
        'REFERENCE_FILE_MISSING',
        `${dir}: none of ${TABLES[id].files.join(', ')} found.`,
      );
    }
    const rows = await readTable(path, TABLES[id], onRow);
    const file = basename(path);
    const provenance = manifest.files[file];
    const source: ReferenceSource = provenance
      ? {
          file,
          rows,
          url: provenance.url,
          sha256: provenance.sha256,
          downloadedAt: provenance.downloadedAt,
        }
      : { file, rows };
    builder.addSource(source);
  };

  // Order matters only for provenance listing: the builder resolves everything at build().
  for (const id of FILES_FOR[edition]) {
    if (id === 'imd2025') {
      await read(id, (row) => {
        const code = row('lsoa21_code');
        if (code) {
          const decile = edition === '2025' ? parseDecile(row('imd_decile')) : null;
          builder.addLsoa21(code, row('lad_code') || null, decile);
        }
      });
    } else if (id === 'imd2019') {
      await read(id, (row) => {
        const code = row('lsoa11_code');
        if (code) builder.addImd2019(code, parseDecile(row('imd_decile')));
      });
    } else if (id === 'bestFit') {
      await read(id, (row) => {
        const lsoa11 = row('lsoa11_code');
        const lsoa21 = row('lsoa21_code');
        if (lsoa11 && lsoa21) builder.addBestFit(lsoa11, lsoa21, row('lad_code') || null);
      });
    } else {
      await read(id, (row) => {
        const lsoa21 = row('lsoa21_code');
        if (!lsoa21) return; // e.g. Channel Islands / Isle of Man postcodes in the UK files
        builder.addPostcode(row('postcode'), lsoa21, row('lad_code') || null, row('lsoa11_code'));
      });
    }
  }
  return builder.build();
}

// ---------------------------------------------------------------------------------------------
// Download

/** Network and HTTP failures are transient (the state machine retries `TransientError`). */
const DOWNLOAD_FAILED = 'REFERENCE_DOWNLOAD_FAILED';

export type FetchLike = (url: string, init?: { redirect?: 'follow' }) => Promise<Response>;

/** Streams an official table into our reduced CSV while hashing the downloaded bytes. */
async function downloadTable(
  id: ReferenceFileId,
  source: OfficialSource,
  target: string,
  fetchFn: FetchLike,
): Promise<ManifestEntry> {
  let response: Response;
  try {
    response = await fetchFn(source.url, { redirect: 'follow' });
  } catch (error) {
    throw new TransientError(`${source.url}: ${String(error)}`, DOWNLOAD_FAILED, { cause: error });
  }
  if (!response.ok || !response.body) {
    throw new TransientError(
      `${source.url}: HTTP ${response.status} ${response.statusText}`.trim(),
      DOWNLOAD_FAILED,
    );
  }
  const spec = TABLES[id];
  const columns = Object.keys(spec.columns);
  const partPath = `${target}.part`;
  const out = createWriteStream(partPath);
  let mustDrain = false;
  const write = (text: string) => {
    if (!out.write(text)) mustDrain = true;
  };
  write(`${columns.join(',')}\n`);
  const reader = new TableReader(spec, source.url, (row) => {
    write(`${columns.map((column) => row(column)).join(',')}\n`);
  });
  const decoder = new TextDecoder('utf-8');
  const splitter = new LineSplitter();
  const feed = (bytes: Uint8Array, final: boolean) => {
    for (const line of splitter.push(decoder.decode(bytes, { stream: !final }))) reader.line(line);
    if (final) for (const line of splitter.end()) reader.line(line);
  };

  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const unzip = source.format === 'zip' ? openZipEntry(source, feed) : null;
    for await (const chunk of response.body) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      if (unzip) unzip.push(chunk);
      else feed(chunk, false);
      if (mustDrain) {
        mustDrain = false;
        await once(out, 'drain');
      }
    }
    if (unzip) unzip.finish();
    else feed(new Uint8Array(0), true);
    reader.finish();
    await closeStream(out);
    await rename(partPath, target);
  } catch (error) {
    out.destroy();
    await rm(partPath, { force: true });
    throw error;
  }
  return {
    url: source.url,
    sha256: hash.digest('hex'),
    bytes,
    rows: reader.rows,
    downloadedAt: new Date().toISOString(),
  };
}

/** Streams one ZIP entry's bytes to `feed` as the archive arrives (no whole-file buffering). */
function openZipEntry(source: OfficialSource, feed: (bytes: Uint8Array, final: boolean) => void) {
  const pattern = source.entry ?? /\.csv$/i;
  let found = false;
  let finished = false;
  let failure: unknown = null;
  const unzip = new Unzip((file) => {
    if (found || !pattern.test(file.name)) return; // entries not started are skipped
    found = true;
    file.ondata = (error, data, final) => {
      if (error) failure = error;
      else {
        try {
          feed(data, final);
          if (final) finished = true;
        } catch (caught) {
          failure = caught;
        }
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const check = () => {
    if (failure) throw failure;
  };
  return {
    push(chunk: Uint8Array) {
      unzip.push(chunk);
      check();
    },
    finish() {
      unzip.push(new Uint8Array(0), true);
      check();
      if (!found || !finished) {
        throw new ReferenceDataError(
          'REFERENCE_FILE_MISSING',
          `${source.url}: no complete ZIP entry matching ${pattern}.`,
        );
      }
    },
  };
}

async function closeStream(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/**
 * Makes sure the edition's files are in the cache directory, downloading only what the manifest
 * does not already list with its file present. The manifest is rewritten after each file so an
 * interrupted run resumes where it stopped.
 */
export async function ensureDownloaded(
  cacheDir: string,
  edition: ImdEdition,
  fetchFn: FetchLike,
  sources: Readonly<Record<ReferenceFileId, OfficialSource>> = OFFICIAL_SOURCES,
): Promise<{ downloaded: ReferenceFileId[] }> {
  return ensureTablesDownloaded(cacheDir, FILES_FOR[edition], fetchFn, sources);
}

/** {@link ensureDownloaded} for any tables (the funding population needs no postcodes). */
export async function ensureTablesDownloaded(
  cacheDir: string,
  ids: readonly ReferenceFileId[],
  fetchFn: FetchLike,
  sources: Readonly<Record<ReferenceFileId, OfficialSource>> = OFFICIAL_SOURCES,
): Promise<{ downloaded: ReferenceFileId[] }> {
  await mkdir(cacheDir, { recursive: true });
  const manifest = await readManifest(cacheDir);
  const downloaded: ReferenceFileId[] = [];
  for (const id of ids) {
    const file = TABLES[id].files[0] ?? `${id}.csv`;
    const target = join(cacheDir, file);
    if (manifest.files[file] && existsSync(target)) continue;
    manifest.files[file] = await downloadTable(id, sources[id], target, fetchFn);
    await writeFile(join(cacheDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    downloaded.push(id);
  }
  return { downloaded };
}

/** Adds (or replaces) one file's entry in a cache directory's manifest. */
export async function writeManifestEntry(
  dir: string,
  file: string,
  entry: ManifestEntry,
): Promise<void> {
  const manifest = await readManifest(dir);
  manifest.files[file] = entry;
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

export interface LoadReferenceOptions {
  readonly edition: ImdEdition;
  /** Directory holding the CSV files; wins over everything else. */
  readonly dir?: string;
  /** Where official files are downloaded to when no directory is found. */
  readonly cacheDir?: string;
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: FetchLike;
  readonly sources?: Readonly<Record<ReferenceFileId, OfficialSource>>;
}

/** Where the files come from: an existing directory, or a cache to download into. */
export function resolveReferenceLocation(options: { dir?: string; cacheDir?: string }): {
  dir: string;
  download: boolean;
} {
  const explicit = options.dir ?? process.env.REFERENCE_DATA_DIR;
  if (explicit) return { dir: resolve(explicit), download: false };
  const beside = resolve(process.cwd(), '../shared/data');
  if (existsSync(beside)) return { dir: beside, download: false };
  const cacheDir =
    options.cacheDir ??
    process.env.REFERENCE_CACHE_DIR ??
    join(tmpdir(), 'cancer-alliance-reference');
  return { dir: resolve(cacheDir), download: true };
}

const loaded = new Map<string, Promise<ReferenceData>>();

/** Loads (once per process and directory + edition) the reference data for enrichment. */
export function loadReferenceData(options: LoadReferenceOptions): Promise<ReferenceData> {
  const { dir, download } = resolveReferenceLocation(options);
  const key = `${dir}|${options.edition}`;
  let promise = loaded.get(key);
  if (!promise) {
    promise = (async () => {
      if (download) {
        await ensureDownloaded(
          dir,
          options.edition,
          options.fetch ?? ((url, init) => fetch(url, init)),
          options.sources,
        );
      }
      return parseReferenceDirectory(dir, options.edition);
    })();
    // A failed load is not cached, so the next invocation retries.
    const pending = promise;
    pending.catch(() => {
      if (loaded.get(key) === pending) loaded.delete(key);
    });
    loaded.set(key, pending);
  }
  return promise;
}

/** Forgets loaded reference data (tests, or after replacing the files). */
export function clearReferenceDataCache(): void {
  loaded.clear();
}
