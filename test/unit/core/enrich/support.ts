import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AllianceConfig, AllianceConfigSchema } from '../../../../lambdas/core/config';
import type { EnrichedRecord } from '../../../../lambdas/core/enriched';
import type { PathwayRecord } from '../../../../lambdas/core/record';

/**
 * A tiny hand-made reference world (values modelled on the real files, see SOURCES.md):
 * - Tower Hamlets E01004322 (E1 1BB): IMD 2025 decile 1, IMD 2019 decile 3.
 * - E01004197 (2011) was split into E01035660 (its best fit) and E01035661 (no best fit; its
 *   postcodes E2 9BS/E2 9BX carry E01004197 as their 2011 LSOA).
 * - E01004261 (2019 decile 4) and E01004262 (2019 decile 3) merged into E01035670 (E1 4AA).
 * - City of London E01000001 (EC2Y 8AA) and Hackney E01001729 (E9 6SR): place City and Hackney.
 * - Hull E01012756 (HU1 1AA, LA name with a comma) and Tendring E01021988 (CO15 2AA): outside NEL.
 */
export const IMD2025_CSV = [
  'lsoa21_code,lsoa21_name,lad24_code,lad24_name,imd_decile,imd_quintile',
  'E01000001,City of London 001A,E09000001,City of London,8,4',
  'E01001729,Hackney 020B,E09000012,Hackney,1,1',
  'E01004322,Tower Hamlets 017A,E09000030,Tower Hamlets,1,1',
  'E01035660,Tower Hamlets 002E,E09000030,Tower Hamlets,2,1',
  'E01035661,Tower Hamlets 002F,E09000030,Tower Hamlets,2,1',
  'E01035670,Tower Hamlets 010G,E09000030,Tower Hamlets,4,2',
  'E01002248,Havering 016C,E09000016,Havering,4,2',
  'E01012756,Kingston upon Hull 025A,E06000010,"Kingston upon Hull, City of",5,3',
  'E01021988,Tendring 018A,E07000076,Tendring,1,1',
].join('\n');

export const IMD2019_CSV = [
  'lsoa11_code,lsoa11_name,lad19_code,lad19_name,imd_score,imd_rank,imd_decile,imd_quintile',
  'E01000001,City of London 001A,E09000001,City of London,6.208,29199,9,5',
  'E01001729,Hackney 020B,E09000012,Hackney,40.1,3000,2,1',
  'E01004322,Tower Hamlets 017A,E09000030,Tower Hamlets,32.255,6983,3,2',
  'E01004197,Tower Hamlets 002A,E09000030,Tower Hamlets,27.495,9298,3,2',
  'E01004261,Tower Hamlets 010A,E09000030,Tower Hamlets,25.849,10280,4,2',
  'E01004262,Tower Hamlets 010B,E09000030,Tower Hamlets,29.288,8367,3,2',
  'E01002248,Havering 016C,E09000016,Havering,20.0,14000,5,3',
  'E01012756,Kingston upon Hull 025A,E06000010,"Kingston upon Hull, City of",19.9,14794,5,3',
  'E01021988,Tendring 018A,E07000076,Tendring,92.735,1,1,1',
].join('\n');

export const BEST_FIT_CSV = [
  'lsoa11_code,lsoa11_name,lsoa21_code,lsoa21_name,lad22_code,lad22_name',
  'E01000001,City of London 001A,E01000001,City of London 001A,E09000001,City of London',
  'E01001729,Hackney 020B,E01001729,Hackney 020B,E09000012,Hackney',
  'E01004322,Tower Hamlets 017A,E01004322,Tower Hamlets 017A,E09000030,Tower Hamlets',
  'E01004197,Tower Hamlets 002A,E01035660,Tower Hamlets 002E,E09000030,Tower Hamlets',
  'E01004261,Tower Hamlets 010A,E01035670,Tower Hamlets 010G,E09000030,Tower Hamlets',
  'E01004262,Tower Hamlets 010B,E01035670,Tower Hamlets 010G,E09000030,Tower Hamlets',
  'E01002248,Havering 016C,E01002248,Havering 016C,E09000016,Havering',
  'E01012756,Kingston upon Hull 025A,E01012756,Kingston upon Hull 025A,E06000010,"Kingston upon Hull, City of"',
  'E01021988,Tendring 018A,E01021988,Tendring 018A,E07000076,Tendring',
].join('\n');

export const POSTCODE_CSV = [
  'postcode,lsoa21_code,lsoa11_code_derived,lad_code',
  'E1 1BB,E01004322,E01004322,E09000030',
  'E9 6SR,E01001729,E01001729,E09000012',
  'EC2Y 8AA,E01000001,E01000001,E09000001',
  'RM7 0AG,E01002248,E01002248,E09000016',
  'E2 9BS,E01035661,E01004197,E09000030',
  'E2 9BX,E01035661,E01004197,E09000030',
  'E1 4AA,E01035670,,E09000030',
  'HU1 1AA,E01012756,E01012756,E06000010',
  'CO15 2AA,E01021988,E01021988,E07000076',
].join('\n');

/** Writes the fixture files (CRLF line endings, as some official downloads have) to a temp dir. */
export function writeReferenceFixture(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'reference-fixture-'));
  const crlf = (text: string) => `${text.replace(/\n/g, '\r\n')}\r\n`;
  writeFileSync(join(dir, 'imd2025_lsoa21_england.csv'), crlf(IMD2025_CSV));
  writeFileSync(join(dir, 'imd2019_lsoa11_england.csv'), crlf(IMD2019_CSV));
  writeFileSync(join(dir, 'lsoa11_lsoa21_best_fit_england.csv'), crlf(BEST_FIT_CSV));
  writeFileSync(join(dir, 'postcode_lsoa_nel.csv'), crlf(POSTCODE_CSV));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const configPath = new URL('../../../../lib/alliances/north-east-london.json', import.meta.url);

/** The NEL alliance configuration as shipped (places incl. City and Hackney; FDS 75% → 80%). */
export function nelConfig(imdEdition: '2025' | '2019' = '2025'): AllianceConfig {
  const raw = JSON.parse(readFileSync(configPath, 'utf8')) as { rules: Record<string, unknown> };
  return AllianceConfigSchema.parse({ ...raw, rules: { ...raw.rules, imdEdition } });
}

/** Whole days since 1970-01-01 of a calendar date (independent of the code under test). */
export function day(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

export function pathwayRecord(overrides: Partial<PathwayRecord> = {}): PathwayRecord {
  return {
    row: 2,
    pathwayId: 'PW-0001',
    nhsNumber: '9434765919',
    dateOfBirth: day('1956-07-14'),
    sex: '2',
    ethnicity: 'A',
    postcode: 'E1 1BB',
    lsoaCode: null,
    priorityType: '3',
    sourceOfReferral: '03',
    cancerReferralType: '02',
    referralReceived: day('2026-02-02'),
    consultantUpgrade: null,
    orgFirstSeen: 'R1H12',
    dateFirstSeen: day('2026-02-09'),
    firstSeenAdjustment: 0,
    fdsEnd: day('2026-02-20'),
    fdsEndReason: '01',
    fdsExclusionReason: null,
    orgFdsEnd: 'R1H12',
    accountableInvestigatingProvider: null,
    transferToTreatment: null,
    primaryDiagnosis: 'C34.1',
    decisionToTreat: null,
    treatmentStart: null,
    treatmentEventType: null,
    treatmentModality: null,
    orgTreatmentStart: null,
    treatmentAdjustment: 0,
    treatmentAdjustmentReason: null,
    patientStatus: null,
    ...overrides,
  };
}

/** An enriched record for aggregation tests: every group spelled out, outcomes supplied. */
export function enrichedRecord(overrides: Partial<EnrichedRecord> = {}): EnrichedRecord {
  return {
    row: 2,
    pathwayId: 'PW-0001',
    route: 'usc',
    suspectedCancerType: 'Suspected lung cancer',
    treatedCancerType: 'Lung',
    ageBand: '60-69',
    sex: 'Female',
    ethnicGroup: 'White',
    imdEdition: '2025',
    imdDecile: 1,
    imdQuintile: 1,
    core20: true,
    lsoa21: 'E01004322',
    localAuthority: 'E09000030',
    place: 'tower-hamlets',
    outcomes: [],
    ...overrides,
  };
}
