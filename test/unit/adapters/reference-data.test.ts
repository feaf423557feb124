import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clearReferenceDataCache,
  ensureDownloaded,
  type FetchLike,
  loadReferenceData,
  OFFICIAL_SOURCES,
  parseReferenceDirectory,
  resolveColumns,
  resolveReferenceLocation,
  splitCsvLine,
  TABLES,
} from '../../../lambdas/adapters/reference-data';
import { writeReferenceFixture } from '../core/enrich/support';

const REAL_DATA = fileURLToPath(new URL('../../../../shared/data', import.meta.url));

const temps: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

const savedEnv = { ...process.env };
const savedCwd = process.cwd();
beforeEach(() => {
  delete process.env.REFERENCE_DATA_DIR;
  delete process.env.REFERENCE_CACHE_DIR;
  clearReferenceDataCache();
});
afterEach(() => {
  process.chdir(savedCwd);
  process.env = { ...savedEnv };
  clearReferenceDataCache();
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('splitCsvLine', () => {
  it('splits plain lines on commas, keeping empty fields', () => {
    expect(splitCsvLine('E1 4AA,E01035670,,E09000030')).toEqual([
      'E1 4AA',
      'E01035670',
      '',
      'E09000030',
    ]);
  });

  it('keeps commas and doubled quotes inside quoted fields', () => {
    expect(splitCsvLine('E06000010,"Kingston upon Hull, City of",5')).toEqual([
      'E06000010',
      'Kingston upon Hull, City of',
      '5',
    ]);
    expect(splitCsvLine('"a ""b"", c",d')).toEqual(['a "b", c', 'd']);
  });
});

describe('resolveColumns', () => {
  it('maps the official IoD2025 File 7 headers (BOM, long and truncated names) to ours', () => {
    // Prepare: the official header order, shortened; the decile header is matched by prefix.
    const header = splitCsvLine(
      '\uFEFFLSOA code (2021),LSOA name (2021),Local Authority District code (2024),' +
        'Local Authority District name (2024),Index of Multiple Deprivation (IMD) Score,' +
        'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),' +
        'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSO',
    );
    // Act
    const positions = resolveColumns(TABLES.imd2025, header, 'File 7');
    // Assess
    expect(positions).toEqual({ lsoa21_code: 0, lad_code: 2, imd_decile: 6 });
  });

  it('maps ONS lookup headers case-insensitively and leaves missing optional columns at -1', () => {
    const positions = resolveColumns(
      TABLES.postcode,
      ['pcd7', 'pcd8', 'pcds', 'dointr', 'oa21cd', 'lsoa21cd', 'ladcd', 'ladnm'],
      'lookup',
    );
    expect(positions).toEqual({ postcode: 2, lsoa21_code: 5, lad_code: 6, lsoa11_code: -1 });
  });

  it('names the missing column when a required one is absent', () => {
    expect(() => resolveColumns(TABLES.bestFit, ['LSOA11CD', 'LAD22CD'], 'bestfit.csv')).toThrow(
      expect.objectContaining({ code: 'REFERENCE_COLUMN_MISSING' }),
    );
  });
});

describe('parseReferenceDirectory', () => {
  it('reads our CSV layout (CRLF, quoted names) and records row counts as provenance', async () => {
    // Prepare
    const fixture = writeReferenceFixture();
    temps.push(fixture.dir);
    // Act
    const ref = await parseReferenceDirectory(fixture.dir, '2025');
    // Assess: the fixture has 9 LSOA 2021s, 9 best-fit rows and 9 postcodes.
    expect(ref.sources).toEqual([
      { file: 'imd2025_lsoa21_england.csv', rows: 9 },
      { file: 'lsoa11_lsoa21_best_fit_england.csv', rows: 9 },
      { file: 'postcode_lsoa_nel.csv', rows: 9 },
    ]);
    expect(ref.lsoaForPostcode('HU1 1AA')).toBe('E01012756');
    expect(ref.localAuthorityOf('E01012756')).toBe('E06000010');
    expect(ref.imd('E01012756')).toEqual({ decile: 5, quintile: 3 });
  });

  it('fails with REFERENCE_FILE_MISSING when a table is absent', async () => {
    const dir = tempDir('reference-empty-');
    await expect(parseReferenceDirectory(dir, '2025')).rejects.toMatchObject({
      code: 'REFERENCE_FILE_MISSING',
    });
  });
});

describe('resolveReferenceLocation', () => {
  it('prefers the dir argument, then REFERENCE_DATA_DIR, then ../shared/data, then the cache', () => {
    // Prepare: a working directory with ../shared/data beside it, and one without.
    const root = tempDir('reference-layout-');
    mkdirSync(join(root, 'main'));
    mkdirSync(join(root, 'shared', 'data'), { recursive: true });
    const bare = tempDir('reference-bare-');
    process.chdir(join(root, 'main'));

    // Act / Assess
    expect(resolveReferenceLocation({ dir: '/x/ref' })).toEqual({ dir: '/x/ref', download: false });
    process.env.REFERENCE_DATA_DIR = '/y/ref';
    expect(resolveReferenceLocation({})).toEqual({ dir: '/y/ref', download: false });
    delete process.env.REFERENCE_DATA_DIR;
    expect(resolveReferenceLocation({})).toEqual({
      dir: resolve(root, 'shared', 'data'),
      download: false,
    });

    process.chdir(bare);
    expect(resolveReferenceLocation({ cacheDir: '/c/one' })).toEqual({
      dir: '/c/one',
      download: true,
    });
    process.env.REFERENCE_CACHE_DIR = '/c/env';
    expect(resolveReferenceLocation({})).toEqual({ dir: '/c/env', download: true });
    delete process.env.REFERENCE_CACHE_DIR;
    expect(resolveReferenceLocation({})).toEqual({
      dir: join(tmpdir(), 'cancer-alliance-reference'),
      download: true,
    });
  });
});

describe('loadReferenceData caching', () => {
  it('loads once per directory and edition, and retries after a failure', async () => {
    // Prepare
    const fixture = writeReferenceFixture();
    temps.push(fixture.dir);
    const empty = tempDir('reference-retry-');

    // Act
    const first = loadReferenceData({ edition: '2025', dir: fixture.dir });
    const again = loadReferenceData({ edition: '2025', dir: fixture.dir });
    const other = loadReferenceData({ edition: '2019', dir: fixture.dir });

    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect((await other).edition).toBe('2019');
    await expect(loadReferenceData({ edition: '2025', dir: empty })).rejects.toMatchObject({
      code: 'REFERENCE_FILE_MISSING',
    });
    for (const name of [
      'imd2025_lsoa21_england.csv',
      'lsoa11_lsoa21_best_fit_england.csv',
      'postcode_lsoa_nel.csv',
    ]) {
      writeFileSync(join(empty, name), readFileSync(join(fixture.dir, name)));
    }
    const retried = await loadReferenceData({ edition: '2025', dir: empty });
    expect(retried.lsoaForPostcode('E1 1BB')).toBe('E01004322');
  });
});

// --- Download -----------------------------------------------------------------------------------

const IOD2025_FILE7 =
  '\uFEFFLSOA code (2021),LSOA name (2021),Local Authority District code (2024),' +
  'Local Authority District name (2024),Index of Multiple Deprivation (IMD) Score,' +
  'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),' +
  'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs),' +
  'Income Score (rate),"Education, Skills and Training Score"\r\n' +
  'E01004322,Tower Hamlets 017A,E09000030,Tower Hamlets,45.199,3313,1,0.3,20.1\r\n' +
  'E01012756,Kingston upon Hull 025A,E06000010,"Kingston upon Hull, City of",19.9,14794,5,0.2,15.4\r\n' +
  'E01035660,Tower Hamlets 002E,E09000030,Tower Hamlets,33.974,6552,2,0.4,12.0\r\n';

const IOD2019_FILE7 =
  'LSOA code (2011),LSOA name (2011),Local Authority District code (2019),' +
  'Local Authority District name (2019),Index of Multiple Deprivation (IMD) Score,' +
  'Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),' +
  'Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)\n' +
  'E01004322,Tower Hamlets 017A,E09000030,Tower Hamlets,32.255,6983,3\n' +
  'E01012756,Kingston upon Hull 025A,E06000010,"Kingston upon Hull, City of",19.9,14794,5\n' +
  'E01004197,Tower Hamlets 002A,E09000030,Tower Hamlets,27.495,9298,3\n';

const BEST_FIT =
  '\uFEFFObjectId,LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM,LAD22NMW\r\n' +
  '1,E01004322,Tower Hamlets 017A,E01004322,Tower Hamlets 017A,E09000030,Tower Hamlets,\r\n' +
  '2,E01004197,Tower Hamlets 002A,E01035660,Tower Hamlets 002E,E09000030,Tower Hamlets,\r\n' +
  '3,E01012756,Kingston upon Hull 025A,E01012756,Kingston upon Hull 025A,E06000010,"Kingston upon Hull, City of",\r\n';

const POSTCODE_LOOKUP =
  'pcd7,pcd8,pcds,dointr,doterm,usertype,oa21cd,lsoa21cd,lsoa21nm,msoa21cd,msoa21nm,ladcd,ladnm,ladnmw\n' +
  'E1  1BB,E1  1BB,E1 1BB,198001,,0,E00166000,E01004322,Tower Hamlets 017A,E02000880,Tower Hamlets 017,E09000030,Tower Hamlets,\n' +
  'HU1 1AA,HU1  1AA,HU1 1AA,198001,,0,E00065000,E01012756,Kingston upon Hull 025A,E02002600,Hull 025,E06000010,"Kingston upon Hull, City of",\n' +
  'GY1 1AA,GY1  1AA,GY1 1AA,198001,,0,,,,,,,,\n';

function postcodeZip(): Uint8Array {
  return zipSync({
    'Documents/LA_UA names and codes UK as at 04_25.csv': strToU8(
      'LAD25CD,LAD25NM\nE09000030,Tower Hamlets\n',
    ),
    'PCD_OA21_LSOA21_MSOA21_LAD_NOV25_UK_LU.csv': strToU8(POSTCODE_LOOKUP),
    'User Guide/readme.txt': strToU8('guide'),
  });
}

/** A fake fetch serving fixed bodies in small chunks (so lines and ZIP records span chunks). */
function fakeFetch(bodies: Record<string, Uint8Array>, status: Record<string, number> = {}) {
  const calls: string[] = [];
  const fetchFn: FetchLike = async (url) => {
    calls.push(url);
    const code = status[url] ?? 200;
    const bytes = bodies[url];
    if (code !== 200 || !bytes) return new Response('nope', { status: code === 200 ? 404 : code });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 97) {
          controller.enqueue(bytes.slice(offset, offset + 97));
        }
        controller.close();
      },
    });
    return new Response(stream, { status: 200 });
  };
  return { fetchFn, calls };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function officialBodies() {
  const zip = postcodeZip();
  return {
    [OFFICIAL_SOURCES.imd2025.url]: strToU8(IOD2025_FILE7),
    [OFFICIAL_SOURCES.imd2019.url]: strToU8(IOD2019_FILE7),
    [OFFICIAL_SOURCES.bestFit.url]: strToU8(BEST_FIT),
    [OFFICIAL_SOURCES.postcode.url]: zip,
  };
}

describe('download into the cache', () => {
  it('downloads the official files on first use, maps their columns and writes a manifest', async () => {
    // Prepare: no dir, no env, and a working directory without ../shared/data.
    process.chdir(tempDir('reference-cwd-'));
    const cacheDir = join(tempDir('reference-cache-'), 'cache');
    const bodies = officialBodies();
    const { fetchFn, calls } = fakeFetch(bodies);

    // Act
    const ref = await loadReferenceData({ edition: '2025', cacheDir, fetch: fetchFn });

    // Assess: the three 2025 files were fetched once each and the lookups work end to end.
    expect(calls.sort()).toEqual(
      [
        OFFICIAL_SOURCES.imd2025.url,
        OFFICIAL_SOURCES.bestFit.url,
        OFFICIAL_SOURCES.postcode.url,
      ].sort(),
    );
    expect(ref.lsoaForPostcode('E1 1BB')).toBe('E01004322');
    expect(ref.imd('E01004322')).toEqual({ decile: 1, quintile: 1 });
    expect(ref.localAuthorityOf('E01012756')).toBe('E06000010');
    expect(ref.lsoa21ForLsoa11('E01004197')).toBe('E01035660');
    expect(ref.lsoaForPostcode('GY1 1AA')).toBeUndefined(); // no LSOA in the lookup

    // The cache holds our column names only.
    expect(readFileSync(join(cacheDir, 'imd2025_lsoa21_england.csv'), 'utf8')).toBe(
      'lsoa21_code,lad_code,imd_decile\nE01004322,E09000030,1\nE01012756,E06000010,5\nE01035660,E09000030,2\n',
    );
    expect(readFileSync(join(cacheDir, 'postcode_lsoa.csv'), 'utf8').split('\n')[0]).toBe(
      'postcode,lsoa21_code,lad_code,lsoa11_code',
    );

    // Provenance: URL, SHA-256 of the bytes as downloaded (hashed here independently), time.
    const manifest = JSON.parse(readFileSync(join(cacheDir, 'manifest.json'), 'utf8'));
    const zipEntry = manifest.files['postcode_lsoa.csv'];
    expect(zipEntry.url).toBe(OFFICIAL_SOURCES.postcode.url);
    expect(zipEntry.sha256).toBe(sha256(bodies[OFFICIAL_SOURCES.postcode.url] as Uint8Array));
    expect(zipEntry.rows).toBe(3);
    expect(Number.isNaN(Date.parse(zipEntry.downloadedAt))).toBe(false);
    expect(manifest.files['imd2025_lsoa21_england.csv'].sha256).toBe(
      sha256(bodies[OFFICIAL_SOURCES.imd2025.url] as Uint8Array),
    );
    expect(ref.sources.find((s) => s.file === 'postcode_lsoa.csv')).toMatchObject({
      rows: 3,
      url: OFFICIAL_SOURCES.postcode.url,
      sha256: zipEntry.sha256,
    });
  });

  it('uses the cache on later loads and fetches only files that went missing', async () => {
    // Prepare
    const cacheDir = tempDir('reference-cache-');
    const { fetchFn, calls } = fakeFetch(officialBodies());
    await ensureDownloaded(cacheDir, '2025', fetchFn);
    calls.length = 0;

    // Act / Assess: a second run downloads nothing.
    expect(await ensureDownloaded(cacheDir, '2025', fetchFn)).toEqual({ downloaded: [] });
    expect(calls).toEqual([]);

    // The 2019 edition needs one more file; a deleted file is fetched again.
    rmSync(join(cacheDir, 'lsoa11_lsoa21_best_fit_england.csv'));
    expect(await ensureDownloaded(cacheDir, '2019', fetchFn)).toEqual({
      downloaded: ['imd2019', 'bestFit'],
    });
    expect(calls).toEqual([OFFICIAL_SOURCES.imd2019.url, OFFICIAL_SOURCES.bestFit.url]);
    const ref = await parseReferenceDirectory(cacheDir, '2019');
    expect(ref.imd('E01035660')).toEqual({ decile: 3, quintile: 2 });
  });

  it('reports a failed download and leaves no partial file or manifest entry behind', async () => {
    // Prepare
    const cacheDir = tempDir('reference-cache-');
    const { fetchFn } = fakeFetch(officialBodies(), { [OFFICIAL_SOURCES.bestFit.url]: 404 });

    // Act / Assess: named TransientError so the state machine's Retry applies.
    await expect(ensureDownloaded(cacheDir, '2025', fetchFn)).rejects.toMatchObject({
      name: 'TransientError',
      code: 'REFERENCE_DOWNLOAD_FAILED',
    });
    expect(existsSync(join(cacheDir, 'lsoa11_lsoa21_best_fit_england.csv'))).toBe(false);
    expect(existsSync(join(cacheDir, 'lsoa11_lsoa21_best_fit_england.csv.part'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(cacheDir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.files)).toEqual(['imd2025_lsoa21_england.csv']);
  });

  it('fails clearly when the ZIP has no matching table', async () => {
    const cacheDir = tempDir('reference-cache-');
    const bodies = {
      ...officialBodies(),
      [OFFICIAL_SOURCES.postcode.url]: zipSync({ 'readme.txt': strToU8('nothing here') }),
    };
    const { fetchFn } = fakeFetch(bodies);
    await expect(ensureDownloaded(cacheDir, '2025', fetchFn)).rejects.toMatchObject({
      code: 'REFERENCE_FILE_MISSING',
    });
    expect(existsSync(join(cacheDir, 'postcode_lsoa.csv'))).toBe(false);
  });
});

// --- The real reference files ------------------------------------------------------------------

describe.skipIf(!existsSync(REAL_DATA))(
  'the real files in shared/data (SOURCES.md spot checks)',
  () => {
    it('loads IMD 2025 with the documented row counts and spot values', async () => {
      // Act
      const ref = await loadReferenceData({ edition: '2025', dir: REAL_DATA });
      // Assess: counts and values quoted in SOURCES.md.
      expect(ref.sources).toEqual([
        { file: 'imd2025_lsoa21_england.csv', rows: 33_755 },
        { file: 'lsoa11_lsoa21_best_fit_england.csv', rows: 32_844 },
        { file: 'postcode_lsoa_nel.csv', rows: 51_152 },
      ]);
      expect(ref.lsoaForPostcode('E1 1BB')).toBe('E01004322');
      expect(ref.localAuthorityOf('E01004322')).toBe('E09000030'); // Tower Hamlets
      expect(ref.imd('E01021988')?.decile).toBe(1); // Tendring 018A, rank 1
      expect(ref.localAuthorityOf(ref.lsoaForPostcode('E9 6SR') ?? '')).toBe('E09000012');
      expect(ref.localAuthorityOf(ref.lsoaForPostcode('RM7 0AG') ?? '')).toBe('E09000016');
      expect(ref.localAuthorityOf(ref.lsoaForPostcode('IG3 8YB') ?? '')).toBe('E09000026');
      expect(ref.localAuthorityOf(ref.lsoaForPostcode('E13 8SL') ?? '')).toBe('E09000025');
      expect(ref.localAuthorityOf(ref.lsoaForPostcode('E11 1NR') ?? '')).toBe('E09000031');
    });

    it('loads IMD 2019 through the best fit', async () => {
      const ref = await loadReferenceData({ edition: '2019', dir: REAL_DATA });
      // E01021988 is rank 1 in IoD2019 too; E01000001 (City of London 001A) is decile 9 in 2019.
      expect(ref.imd('E01021988')?.decile).toBe(1);
      expect(ref.imd('E01000001')?.decile).toBe(9);
      expect(ref.sources.map((s) => s.rows)).toEqual([33_755, 32_844, 32_844, 51_152]);
    });
  },
);
