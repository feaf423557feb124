import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearPopulationCache,
  downloadPopulation,
  loadPopulationReference,
  localAuthorityTotal,
  POPULATION_FILE,
  parsePopulationDirectory,
} from '../../../lambdas/adapters/population-data';
import { AGE_BANDS } from '../../../lambdas/core/funding-config';
import { buildXlsx, escapeXml } from '../core/parse/xlsx-fixture';

const BANDS = AGE_BANDS.map((band) =>
  band === '90+' ? 'pop_90_plus' : `pop_${band.replace('-', '_')}`,
);

/** A population row: counts in the named bands, 0 elsewhere. */
function populationRow(code: string, counts: Record<string, number>): string {
  const values = AGE_BANDS.map((band) => counts[band] ?? 0);
  const total = values.reduce((sum, count) => sum + count, 0);
  return [code, `"Area ${code}, test"`, total, ...values].join(',');
}

let dir: string;

/**
 * Three LSOA 2011s: A and B in Hackney (E09000012), C in Havering (E09000016). A maps to the
 * LSOA 2021 A21 (IMD 2025 decile 1 → quintile 1) and has IMD 2019 decile 3 (quintile 2); B → B21
 * (decile 6 → 3; 2019 decile 10 → 5); C → C21 with no IMD 2025 and 2019 decile 2 (→ 1). D is
 * in no lookup.
 */
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cap-population-'));
  writeFileSync(
    join(dir, POPULATION_FILE),
    [
      ['lsoa11_code', 'lsoa11_name', 'pop_total', ...BANDS].join(','),
      populationRow('A', { '0-4': 10, '65-69': 5 }),
      populationRow('B', { '90+': 7 }),
      populationRow('C', { '40-44': 20 }),
      populationRow('D', { '40-44': 3 }),
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'lsoa11_lsoa21_best_fit_england.csv'),
    'lsoa11_code,lsoa11_name,lsoa21_code,lsoa21_name,lad22_code,lad22_name\n' +
      'A,a,A21,a,E09000012,Hackney\nB,b,B21,b,E09000012,Hackney\nC,c,C21,c,E09000016,Havering\n',
  );
  writeFileSync(
    join(dir, 'imd2025_lsoa21_england.csv'),
    'lsoa21_code,lsoa21_name,lad24_code,lad24_name,imd_score,imd_rank,imd_decile\n' +
      'A21,a,E09000012,Hackney,50,1,1\nB21,b,E09000012,Hackney,10,2,6\n',
  );
  writeFileSync(
    join(dir, 'imd2019_lsoa11_england.csv'),
    'lsoa11_code,lsoa11_name,lad19_code,lad19_name,imd_score,imd_rank,imd_decile\n' +
      'A,a,E09000012,Hackney,30,1,3\nB,b,E09000012,Hackney,1,2,10\nC,c,E09000016,Havering,40,3,2\n',
  );
  clearPopulationCache();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('population reference data', () => {
  it('places each LSOA in its local authority and IMD 2025 quintile via the best-fit lookup', async () => {
    // Act
    const reference = await parsePopulationDirectory(dir, '2025');
    const hackney = reference.byLocalAuthority.get('E09000012');
    const havering = reference.byLocalAuthority.get('E09000016');

    // Assess: A's 10 + 5 in quintile 1, B's 7 (90+) in quintile 3; C (no IMD 2025) unknown.
    expect(hackney?.['1'][AGE_BANDS.indexOf('0-4')]).toBe(10);
    expect(hackney?.['1'][AGE_BANDS.indexOf('65-69')]).toBe(5);
    expect(hackney?.['3'][AGE_BANDS.indexOf('90+')]).toBe(7);
    expect(havering?.unknown[AGE_BANDS.indexOf('40-44')]).toBe(20);
    expect(localAuthorityTotal(reference, 'E09000012')).toBe(22);
    expect(reference.provenance.unmatched).toEqual({
      withoutLocalAuthority: { lsoas: 1, population: 3 },
      withoutImd: { lsoas: 1, population: 20 },
    });
    expect(reference.provenance.population).toMatchObject({
      file: POPULATION_FILE,
      rows: 4,
      total: 45,
      geography: 'LSOA 2011',
    });
    expect(reference.provenance.imd).toMatchObject({
      file: 'imd2025_lsoa21_england.csv',
      edition: '2025',
    });
  });

  it('uses the LSOA 2011 deciles directly for IMD 2019', async () => {
    // Act
    const reference = await parsePopulationDirectory(dir, '2019');

    // Assess: A decile 3 → quintile 2; B 10 → 5; C 2 → 1.
    expect(reference.byLocalAuthority.get('E09000012')?.['2'][0]).toBe(10);
    expect(reference.byLocalAuthority.get('E09000012')?.['5'][AGE_BANDS.length - 1]).toBe(7);
    expect(reference.byLocalAuthority.get('E09000016')?.['1'][AGE_BANDS.indexOf('40-44')]).toBe(20);
    expect(reference.provenance.unmatched.withoutImd.lsoas).toBe(0);
  });

  it('loads from REFERENCE_DATA_DIR once per process and edition', async () => {
    // Prepare
    const previous = process.env.REFERENCE_DATA_DIR;
    process.env.REFERENCE_DATA_DIR = dir;
    try {
      // Act
      const first = loadPopulationReference({ edition: '2025' });
      const second = loadPopulationReference({ edition: '2025' });

      // Assess
      expect(first).toBe(second);
      expect(localAuthorityTotal(await first, 'E09000016')).toBe(20);
    } finally {
      if (previous === undefined) delete process.env.REFERENCE_DATA_DIR;
      else process.env.REFERENCE_DATA_DIR = previous;
    }
  });
});

/** Spreadsheet column letters: 0 → A, 26 → AA. */
function column(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

function row(number: number, cells: readonly (string | number)[]): string {
  const xml = cells
    .map((value, i) =>
      typeof value === 'number'
        ? `<c r="${column(i)}${number}"><v>${value}</v></c>`
        : `<c r="${column(i)}${number}" t="inlineStr"><is><t>${escapeXml(value)}</t></is></c>`,
    )
    .join('');
  return `<row r="${number}">${xml}</row>`;
}

describe('official download (ONS workbook, single year of age)', () => {
  it('sums single years into 5-year bands, keeps English LSOAs and records the download', async () => {
    // Prepare: a title block, then the header ONS uses, then an English and a Welsh LSOA.
    // E01000001: 2 people aged 0, 3 aged 4, 1 aged 5, 6 aged 90+ → 0–4: 5, 5–9: 1, 90+: 6.
    const ages = [...Array.from({ length: 90 }, (_, age) => String(age)), '90+'];
    const counts = (given: Record<string, number>) => ages.map((age) => given[age] ?? 0);
    const workbook = buildXlsx({
      sheets: [
        { name: 'Contents', rows: row(1, ['Contents']) },
        {
          name: 'Mid-2020 Persons',
          rows:
            row(1, ['Mid-2020 Population Estimates for Lower Layer Super Output Areas']) +
            row(5, ['LSOA Code', 'LSOA Name', 'LA Code (2021 boundaries)', 'All Ages', ...ages]) +
            row(6, [
              'E01000001',
              'City of London 001A',
              'E09000001',
              12,
              ...counts({ 0: 2, 4: 3, 5: 1, '90+': 6 }),
            ]) +
            row(7, ['W01000001', 'Isle of Anglesey 001A', 'W06000001', 4, ...counts({ 30: 4 })]),
        },
      ],
    });
    const requested: string[] = [];
    const fetchFn = async (url: string) => {
      requested.push(url);
      return new Response(workbook);
    };

    // Act
    const entry = await downloadPopulation(dir, fetchFn, {
      url: 'https://ons.test/sape.xlsx',
      sheet: 'Mid-2020 Persons',
    });

    // Assess
    const lines = readFileSync(join(dir, POPULATION_FILE), 'utf8').trim().split('\n');
    expect(requested).toEqual(['https://ons.test/sape.xlsx']);
    expect(lines).toHaveLength(2);
    const values = lines[1]?.split(',') ?? [];
    expect(values.slice(0, 5)).toEqual(['E01000001', 'City of London 001A', '12', '5', '1']);
    expect(values.at(-1)).toBe('6');
    expect(entry).toMatchObject({
      url: 'https://ons.test/sape.xlsx',
      rows: 1,
      bytes: workbook.byteLength,
    });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.files[POPULATION_FILE].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('treats an HTTP failure as transient', async () => {
    const fetchFn = async () => new Response('busy', { status: 503 });
    await expect(downloadPopulation(dir, fetchFn)).rejects.toMatchObject({
      name: 'TransientError',
      code: 'REFERENCE_DOWNLOAD_FAILED',
    });
  });
});
