import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANONICAL_COLUMNS, type ColumnName } from '../../lambdas/core/record';
import { csvLine } from '../../lambdas/core/report';

/**
 * Synthetic, realistic CWT pathway files for demos, tests and benchmarks. Deterministic for a
 * seed. Nothing here is real patient data: NHS numbers are Modulus 11-valid numbers in the 999
 * range reserved for testing, dates of birth are random, postcodes are real NEL postcodes (public
 * reference data) chosen at random within the trust's catchment.
 */

export interface DemoOptions {
  readonly trust: string;
  readonly period: string;
  readonly rows: number;
  readonly seed?: number;
  /** Share of records made deliberately invalid, to show the row-level report. */
  readonly invalidShare?: number;
  readonly referenceDir?: string;
}

/** Catchment boroughs (GSS codes) per trust, and how each trust tends to perform. */
const PROFILES: Record<string, { boroughs: string[]; fds: number; d31: number; d62: number }> = {
  R1H: {
    boroughs: ['E09000030', 'E09000025', 'E09000031', 'E09000001'],
    fds: 0.79,
    d31: 0.95,
    d62: 0.74,
  },
  RF4: { boroughs: ['E09000002', 'E09000016', 'E09000026'], fds: 0.74, d31: 0.93, d62: 0.69 },
  RQX: { boroughs: ['E09000012', 'E09000001'], fds: 0.83, d31: 0.97, d62: 0.8 },
};
const DEFAULT_PROFILE = { boroughs: [] as string[], fds: 0.77, d31: 0.94, d62: 0.7 };

/** Public postcodes of NEL hospitals: a fallback when no reference data is available. */
const FALLBACK_POSTCODES = ['E1 1BB', 'E9 6SR', 'RM7 0AG', 'IG3 8YB', 'E13 8SL', 'E11 1NR'];

const ETHNICITY = [
  'A',
  'A',
  'A',
  'C',
  'C',
  'H',
  'J',
  'K',
  'K',
  'L',
  'M',
  'N',
  'N',
  'P',
  'R',
  'S',
  'Z',
  '99',
  'B',
  'D',
  'F',
  'G',
];
const REFERRAL_TYPES = [
  '01',
  '01',
  '02',
  '03',
  '03',
  '04',
  '05',
  '06',
  '07',
  '07',
  '09',
  '09',
  '10',
  '15',
  '16',
  '17',
];
const DIAGNOSES = [
  'C50.9',
  'C34.1',
  'C18.7',
  'C20',
  'C16.9',
  'C61',
  'C67.9',
  'C43.5',
  'C53.9',
  'C85.9',
  'C25.0',
  'C73',
  'C64',
];
const MODALITIES = ['23', '23', '02', '05', '15', '03', '04', '24'];

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Modulus 11-valid NHS number in the 999 test range. */
export function syntheticNhsNumber(random: () => number): string {
  for (;;) {
    const digits = [9, 9, 9];
    for (let i = 0; i < 6; i += 1) digits.push(Math.floor(random() * 10));
    let sum = 0;
    for (let i = 0; i < 9; i += 1) sum += (digits[i] ?? 0) * (10 - i);
    const check = 11 - (sum % 11);
    if (check === 10) continue;
    digits.push(check === 11 ? 0 : check);
    return digits.join('');
  }
}

interface DemoAddress {
  readonly postcode: string;
  /** National IMD 2025 quintile of the postcode's LSOA (1 = most deprived); 0 when unknown. */
  readonly quintile: number;
}

/** Postcodes in the trust's catchment with their deprivation quintile, from the reference data. */
function loadAddresses(
  referenceDir: string | undefined,
  boroughs: readonly string[],
): DemoAddress[] {
  const postcodes = referenceDir ? join(referenceDir, 'postcode_lsoa_nel.csv') : '';
  const imd = referenceDir ? join(referenceDir, 'imd2025_lsoa21_nel.csv') : '';
  if (!postcodes || !existsSync(postcodes)) {
    return FALLBACK_POSTCODES.map((postcode) => ({ postcode, quintile: 0 }));
  }
  const quintiles = new Map<string, number>();
  if (existsSync(imd)) {
    for (const line of readFileSync(imd, 'utf8').split('\n').slice(1)) {
      const cells = line.split(',');
      if (cells[0] && cells[7]) quintiles.set(cells[0], Number(cells[7]));
    }
  }
  const picked: DemoAddress[] = [];
  for (const line of readFileSync(postcodes, 'utf8').split('\n').slice(1)) {
    const [postcode, lsoa, , lad] = line.split(',');
    if (postcode && lad && (boroughs.length === 0 || boroughs.includes(lad.trim()))) {
      picked.push({ postcode, quintile: quintiles.get(lsoa ?? '') ?? 0 });
    }
  }
  return picked.length > 0
    ? picked
    : FALLBACK_POSTCODES.map((postcode) => ({ postcode, quintile: 0 }));
}

/** Points of performance lost by deprivation quintile: the inequality the platform should show. */
const DEPRIVATION_PENALTY = [0, 0.07, 0.04, 0.02, 0, 0];

const DAY_MS = 86_400_000;
const iso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const ukDate = (day: number) => {
  const [y, m, d] = iso(day).split('-');
  return `${d}/${m}/${y}`;
};

/** Yields the CSV file line by line (header first), so large files never sit in memory. */
export function* demoCsvLines(options: DemoOptions): Generator<string> {
  const random = mulberry32(options.seed ?? hashSeed(`${options.trust}|${options.period}`));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const profile = PROFILES[options.trust] ?? DEFAULT_PROFILE;
  const addresses = loadAddresses(options.referenceDir, profile.boroughs);
  const otherTrusts = Object.keys(PROFILES).filter((t) => t !== options.trust);
  const [year, month] = options.period.split('-').map(Number) as [number, number];
  const periodStart = Math.floor(Date.UTC(year, month - 1, 1) / DAY_MS);
  const periodEnd = Math.floor(Date.UTC(year, month, 0) / DAY_MS);
  const invalidShare = options.invalidShare ?? 0.01;
  const site = (trust: string) => `${trust}0${between(1, 3)}`;

  yield csvLine(CANONICAL_COLUMNS);
  for (let i = 0; i < options.rows; i += 1) {
    const record: Partial<Record<ColumnName, string>> = {};
    const address = pick(addresses);
    const penalty = DEPRIVATION_PENALTY[address.quintile] ?? 0;
    const kind = random();
    const dateFormat = random() < 0.2 ? ukDate : iso;

    record.pathway_id = `${options.trust}-${options.period}-${String(i + 1).padStart(7, '0')}`;
    record.nhs_number = syntheticNhsNumber(random);
    record.date_of_birth = iso(periodStart - between(25 * 365, 92 * 365));
    record.person_stated_gender_code = random() < 0.49 ? '1' : random() < 0.98 ? '2' : 'X';
    record.ethnic_category = pick(ETHNICITY);
    record.postcode = address.postcode;
    record.source_of_referral = '03';

    if (kind < 0.82) {
      // A faster-diagnosis pathway told its outcome this month.
      const fdsEnd = between(periodStart, periodEnd);
      const within = random() < profile.fds - penalty;
      const wait = within ? between(4, 28) : between(29, 75);
      const screening = random() < 0.05;
      record.priority_type = screening ? '2' : '3';
      record.source_of_referral = screening ? '17' : '03';
      record.cancer_referral_type = pick(REFERRAL_TYPES);
      record.referral_received_date = dateFormat(fdsEnd - wait);
      record.org_first_seen = site(options.trust);
      record.date_first_seen = dateFormat(fdsEnd - wait + Math.min(wait, between(3, 14)));
      record.fds_end_date = dateFormat(fdsEnd);
      record.fds_end_reason = random() < 0.93 ? '02' : random() < 0.98 ? '01' : '03';
      record.org_fds_end = site(options.trust);
      record.patient_status = record.fds_end_reason === '01' ? '10' : '03';
    } else if (kind < 0.93) {
      // A first definitive treatment this month, after an urgent referral (62-day and 31-day).
      const treatment = between(periodStart, periodEnd);
      const within62 = random() < profile.d62 - penalty;
      const wait62 = within62 ? between(28, 62) : between(63, 130);
      const referral = treatment - wait62;
      const within31 = random() < profile.d31;
      const wait31 = Math.min(within31 ? between(3, 31) : between(32, 45), wait62 - 10);
      const upgrade = random() < 0.06;
      record.priority_type = '3';
      record.cancer_referral_type = pick(REFERRAL_TYPES.filter((t) => t !== '16'));
      record.referral_received_date = dateFormat(referral);
      if (upgrade) record.consultant_upgrade_date = dateFormat(referral + between(1, 5));
      record.org_first_seen = site(options.trust);
      record.date_first_seen = dateFormat(referral + between(3, 12));
      record.fds_end_date = dateFormat(referral + between(12, Math.max(12, wait62 - wait31)));
      record.fds_end_reason = '01';
      record.org_fds_end = site(options.trust);
      record.primary_diagnosis_icd10 = pick(DIAGNOSES);
      record.decision_to_treat_date = dateFormat(treatment - wait31);
      record.treatment_start_date = dateFormat(treatment);
      record.treatment_event_type = '01';
      record.treatment_modality = pick(MODALITIES);
      const transferred = random() < 0.1 && otherTrusts.length > 0;
      record.org_treatment_start = transferred ? site(pick(otherTrusts)) : site(options.trust);
      if (transferred) {
        record.accountable_investigating_provider = options.trust;
        record.transfer_to_treatment_date = dateFormat(treatment - between(10, 30));
      }
      record.patient_status = '08';
    } else {
      // A subsequent treatment this month (31-day only).
      const treatment = between(periodStart, periodEnd);
      const within31 = random() < profile.d31;
      const wait31 = within31 ? between(2, 31) : between(32, 50);
      record.priority_type = '3';
      record.referral_received_date = dateFormat(treatment - between(120, 400));
      record.primary_diagnosis_icd10 = pick(DIAGNOSES);
      record.decision_to_treat_date = dateFormat(treatment - wait31);
      record.treatment_start_date = dateFormat(treatment);
      record.treatment_event_type = pick(['02', '03', '05']);
      record.treatment_modality = pick(MODALITIES);
      record.org_treatment_start = site(options.trust);
      record.patient_status = '08';
    }

    if (random() < invalidShare) {
      // The mistakes real exports make: a mistyped NHS number or dates in the wrong order.
      if (random() < 0.5)
        record.nhs_number = `${record.nhs_number.slice(0, 9)}${(Number(record.nhs_number.at(-1)) + 1) % 10}`;
      else record.date_first_seen = iso(periodStart - 400);
    }
    yield csvLine(CANONICAL_COLUMNS.map((column) => record[column] ?? ''));
  }
}

export function demoCsv(options: DemoOptions): string {
  return `${[...demoCsvLines(options)].join('\n')}\n`;
}

function hashSeed(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}
