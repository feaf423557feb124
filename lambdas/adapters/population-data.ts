import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TransientError } from '../core/errors';
import { emptyPopulation, type PopulationQuintile, populationTotal } from '../core/funding';
import { AGE_BANDS, type AgeBand } from '../core/funding-config';
import type { PopulationInput, SourceFile } from '../core/funding-document';
import { openXlsx } from '../core/parse/xlsx';
import { type ImdEdition, ReferenceDataError } from '../core/reference';
import {
  ensureTablesDownloaded,
  type FetchLike,
  type ManifestEntry,
  type ReferenceFileId,
  type Row,
  readManifest,
  readTable,
  resolveReferenceLocation,
  TABLES,
  type TableSpec,
  writeManifestEntry,
} from './reference-data';

/**
 * The population behind the funding need term: ONS mid-2020 small-area estimates (LSOA 2011,
 * 5-year age bands), each LSOA placed in a local authority (LAD 2022, from the ONS LSOA 2011 →
 * 2021 best-fit lookup) and a national IMD quintile (IoD2019 directly on LSOA 2011, or IoD2025
 * on the LSOA 2021 the best-fit lookup assigns). Read from the same directory as the enrichment
 * reference data (REFERENCE_DATA_DIR, else ../shared/data), else downloaded once from ONS into
 * the cache; loaded once per process and edition.
 */

export const POPULATION_FILE = 'population_mid2020_lsoa11_england.csv';

/** shared/data/SOURCES.md "Official download URLs" row 13 (SAPE23DT2, single year of age). */
export const POPULATION_OFFICIAL_SOURCE = {
  url: 'https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates/mid2020sape23dt2/sape23dt2mid2020lsoasyoaestimatesunformatted.xlsx',
  sheet: 'Mid-2020 Persons',
} as const;

export const POPULATION_EDITION = 'ONS mid-2020 LSOA population estimates (SAPE23DT2), persons';

const bandColumn = (band: AgeBand) =>
  band === '90+' ? 'pop_90_plus' : `pop_${band.replace('-', '_')}`;

const POPULATION_TABLE: TableSpec = {
  files: [POPULATION_FILE],
  columns: {
    lsoa11_code: { exact: ['lsoa11_code', 'lsoa11cd', 'lsoa code'], required: true },
    ...Object.fromEntries(
      AGE_BANDS.map((band) => [bandColumn(band), { exact: [bandColumn(band)], required: true }]),
    ),
  },
};

export type PopulationReference = PopulationInput;

const IMD_TABLE: Readonly<Record<ImdEdition, ReferenceFileId>> = {
  '2025': 'imd2025',
  '2019': 'imd2019',
};

async function sourceFile(
  dir: string,
  spec: TableSpec,
  onRow: (row: Row) => void,
): Promise<SourceFile> {
  const path = spec.files.map((file) => join(dir, file)).find((candidate) => existsSync(candidate));
  if (!path) {
    throw new ReferenceDataError(
      'REFERENCE_FILE_MISSING',
      `${dir}: none of ${spec.files.join(', ')} found.`,
    );
  }
  const rows = await readTable(path, spec, onRow);
  const file = basename(path);
  const entry = (await readManifest(dir)).files[file];
  return entry
    ? { file, rows, url: entry.url, sha256: entry.sha256, downloadedAt: entry.downloadedAt }
    : { file, rows };
}

const decileOf = (text: string) => {
  const decile = Number.parseInt(text, 10);
  return decile >= 1 && decile <= 10 ? decile : null;
};

/** Reads the population, lookup and IMD files of a directory into populations by LA. */
export async function parsePopulationDirectory(
  dir: string,
  edition: ImdEdition,
): Promise<PopulationReference> {
  const bestFit = new Map<string, { lsoa21: string; la: string }>();
  const lookup = await sourceFile(dir, TABLES.bestFit, (row) => {
    const lsoa11 = row('lsoa11_code');
    if (lsoa11) bestFit.set(lsoa11, { lsoa21: row('lsoa21_code'), la: row('lad_code') });
  });

  // Deciles keyed by LSOA 2011 (IoD2019) or LSOA 2021 (IoD2025); IoD2025 also names the LA.
  const deciles = new Map<string, number>();
  const la2024 = new Map<string, string>();
  const imdFile = await sourceFile(dir, TABLES[IMD_TABLE[edition]], (row) => {
    const code = edition === '2019' ? row('lsoa11_code') : row('lsoa21_code');
    const decile = decileOf(row('imd_decile'));
    if (code && decile !== null) deciles.set(code, decile);
    if (edition === '2025' && code && row('lad_code')) la2024.set(code, row('lad_code'));
  });

  const byLocalAuthority = new Map<string, Record<PopulationQuintile, number[]>>();
  const unmatched = {
    withoutLocalAuthority: { lsoas: 0, population: 0 },
    withoutImd: { lsoas: 0, population: 0 },
  };
  let total = 0;
  const population = await sourceFile(dir, POPULATION_TABLE, (row) => {
    const lsoa11 = row('lsoa11_code');
    if (!lsoa11) return;
    const counts = AGE_BANDS.map((band) => Number(row(bandColumn(band))) || 0);
    const people = counts.reduce((sum, count) => sum + count, 0);
    total += people;
    const fit = bestFit.get(lsoa11);
    const la = fit?.la || (fit ? la2024.get(fit.lsoa21) : undefined);
    if (!la) {
      unmatched.withoutLocalAuthority.lsoas += 1;
      unmatched.withoutLocalAuthority.population += people;
      return;
    }
    const decile = deciles.get(edition === '2019' ? lsoa11 : (fit?.lsoa21 ?? ''));
    const quintile: PopulationQuintile =
      decile === undefined ? 'unknown' : (String(Math.ceil(decile / 2)) as PopulationQuintile);
    if (decile === undefined) {
      unmatched.withoutImd.lsoas += 1;
      unmatched.withoutImd.population += people;
    }
    let matrix = byLocalAuthority.get(la);
    if (!matrix) {
      matrix = emptyPopulation();
      byLocalAuthority.set(la, matrix);
    }
    const target = matrix[quintile];
    counts.forEach((count, band) => {
      target[band] = (target[band] ?? 0) + count;
    });
  });

  return {
    imdEdition: edition,
    byLocalAuthority,
    provenance: {
      population: { ...population, edition: POPULATION_EDITION, geography: 'LSOA 2011', total },
      imd: {
        ...imdFile,
        edition,
        method:
          edition === '2019'
            ? 'IoD2019 decile of the LSOA 2011 itself; quintile = ceil(decile / 2)'
            : 'IoD2025 decile of the LSOA 2021 the ONS best-fit lookup assigns to the LSOA 2011; ' +
              'quintile = ceil(decile / 2)',
      },
      lookup: { ...lookup, localAuthorities: 'LAD 2022' },
      unmatched,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Official download (not exercised here: no network; tests feed a small workbook instead)

const csvField = (text: string) => (/[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/**
 * Downloads the ONS single-year-of-age workbook and writes it in the shape of
 * population_mid2020_lsoa11_england.csv: English LSOAs only, single years summed into 5-year
 * bands (90+ is the workbook's own open band). The header row is found by its `LSOA Code` cell
 * (ONS puts a title block above it) and ages by their column headings, so the column order
 * does not matter.
 */
export async function downloadPopulation(
  cacheDir: string,
  fetchFn: FetchLike,
  source: { readonly url: string; readonly sheet: string } = POPULATION_OFFICIAL_SOURCE,
): Promise<ManifestEntry> {
  let response: Response;
  try {
    response = await fetchFn(source.url, { redirect: 'follow' });
  } catch (error) {
    throw new TransientError(`${source.url}: ${String(error)}`, 'REFERENCE_DOWNLOAD_FAILED', {
      cause: error,
    });
  }
  if (!response.ok) {
    throw new TransientError(
      `${source.url}: HTTP ${response.status} ${response.statusText}`.trim(),
      'REFERENCE_DOWNLOAD_FAILED',
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const workbook = await openXlsx(bytes, { sheetName: source.sheet });

  const lines = [
    ['lsoa11_code', 'lsoa11_name', 'pop_total', ...AGE_BANDS.map(bandColumn)].join(','),
  ];
  let columns: { code: number; name: number; ages: Map<number, number> } | null = null;
  for await (const { cells } of workbook.rows) {
    const text = cells.map((cell) => cell.trim());
    if (!columns) {
      const code = text.findIndex((cell) => cell.toLowerCase() === 'lsoa code');
      if (code < 0) continue;
      const ages = new Map<number, number>();
      text.forEach((cell, i) => {
        const age = cell === '90+' ? 90 : /^\d{1,2}$/.test(cell) ? Number(cell) : null;
        if (age !== null) ages.set(i, Math.min(18, Math.floor(age / 5)));
      });
      if (ages.size !== 91) {
        throw new ReferenceDataError(
          'REFERENCE_COLUMN_MISSING',
          `${source.url}: expected age columns 0…89 and 90+ in sheet "${source.sheet}".`,
        );
      }
      columns = { code, name: text.findIndex((c) => c.toLowerCase() === 'lsoa name'), ages };
      continue;
    }
    const code = text[columns.code] ?? '';
    if (!code.startsWith('E01')) continue;
    const bands = AGE_BANDS.map(() => 0);
    for (const [i, band] of columns.ages) bands[band] = (bands[band] ?? 0) + (Number(text[i]) || 0);
    const name = columns.name < 0 ? '' : (text[columns.name] ?? '');
    const people = bands.reduce((sum, count) => sum + count, 0);
    lines.push([code, csvField(name), people, ...bands].join(','));
  }
  if (!columns) {
    throw new ReferenceDataError(
      'REFERENCE_COLUMN_MISSING',
      `${source.url}: no "LSOA Code" header in sheet "${source.sheet}".`,
    );
  }

  await mkdir(cacheDir, { recursive: true });
  const target = join(cacheDir, POPULATION_FILE);
  const part = `${target}.part`;
  try {
    await writeFile(part, `${lines.join('\n')}\n`);
    await rename(part, target);
  } catch (error) {
    await rm(part, { force: true });
    throw error;
  }
  const entry: ManifestEntry = {
    url: source.url,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.byteLength,
    rows: lines.length - 1,
    downloadedAt: new Date().toISOString(),
  };
  await writeManifestEntry(cacheDir, POPULATION_FILE, entry);
  return entry;
}

export interface LoadPopulationOptions {
  readonly edition: ImdEdition;
  /** Directory holding the CSV files; wins over REFERENCE_DATA_DIR and ../shared/data. */
  readonly dir?: string;
  readonly cacheDir?: string;
  readonly fetch?: FetchLike;
}

const loaded = new Map<string, Promise<PopulationReference>>();

/** Loads (once per process, directory and IMD edition) the population by local authority. */
export function loadPopulationReference(
  options: LoadPopulationOptions,
): Promise<PopulationReference> {
  const { dir, download } = resolveReferenceLocation(options);
  const key = `${dir}|${options.edition}`;
  let promise = loaded.get(key);
  if (!promise) {
    promise = (async () => {
      if (download) {
        const fetchFn = options.fetch ?? ((url, init) => fetch(url, init));
        await ensureTablesDownloaded(dir, ['bestFit', IMD_TABLE[options.edition]], fetchFn);
        const manifest = await readManifest(dir);
        if (!manifest.files[POPULATION_FILE] || !existsSync(join(dir, POPULATION_FILE))) {
          await downloadPopulation(dir, fetchFn);
        }
      }
      return parsePopulationDirectory(dir, options.edition);
    })();
    const pending = promise;
    pending.catch(() => {
      if (loaded.get(key) === pending) loaded.delete(key);
    });
    loaded.set(key, pending);
  }
  return promise;
}

/** Forgets loaded populations (tests). */
export function clearPopulationCache(): void {
  loaded.clear();
}

/** Total headcount of a local authority's population (for reports and tests). */
export function localAuthorityTotal(reference: PopulationReference, la: string): number {
  const population = reference.byLocalAuthority.get(la);
  return population ? populationTotal(population) : 0;
}
