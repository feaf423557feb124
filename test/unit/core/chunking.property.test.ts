import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32, syntheticNhsNumber } from '../../../bin/support/demo-data';
import { parseReferenceDirectory } from '../../../lambdas/adapters/reference-data';
import { cellsByStandard, createAccumulator, mergePartials } from '../../../lambdas/core/aggregate';
import { civilFromDay } from '../../../lambdas/core/dates';
import { deriveRecord } from '../../../lambdas/core/derive';
import { enrichRecord } from '../../../lambdas/core/enrich';
import type {
  EnrichedRecord,
  PartialAggregate,
  RecordException,
} from '../../../lambdas/core/enriched';
import { runIntake } from '../../../lambdas/core/intake';
import { openTable } from '../../../lambdas/core/parse/table';
import {
  CANONICAL_COLUMNS,
  type ColumnName,
  type PathwayRecord,
} from '../../../lambdas/core/record';
import type { ReferenceData } from '../../../lambdas/core/reference';
import { csvLine } from '../../../lambdas/core/report';
import { validateRow } from '../../../lambdas/core/validate';
import { day, nelConfig, writeReferenceFixture } from './enrich/support';

/**
 * Chunked processing merges exactly: for random files and random chunk sizes, the partial
 * aggregates of the chunks, merged with mergePartials, equal the single-pass aggregate — cells
 * (fractional shared-breach weights included), counts, warnings and record exceptions — and so
 * do the stored cells that suppression is applied to. Each chunk goes through the functions the
 * handlers chain (Validate: openTable → runIntake(validateRow) in chunks; Enrich: deriveRecord →
 * enrichRecord; Summarise: createAccumulator; Aggregate: mergePartials), with the JSON round
 * trips of the staging objects in between. No AWS: a hand-made reference fixture.
 */

const TRUST = 'R1H';
const PERIOD = '2026-02';
const PERIOD_START = day('2026-02-01');
const PERIOD_END = day('2026-02-28');
const CONFIG = nelConfig();
const SITES = ['R1H01', 'R1H02', 'RF401', 'RQX01'];
/** Fixture postcodes (in the lookup), one valid-format postcode that is not, and junk. */
const KNOWN_POSTCODES = ['E1 1BB', 'E9 6SR', 'EC2Y 8AA', 'RM7 0AG', 'E2 9BS', 'E1 4AA', 'HU1 1AA'];
const UNKNOWN_POSTCODE = 'E1 6AN';
/** A 2021 LSOA, a 2011 LSOA mapped by best fit, and one in neither lookup. */
const LSOA_CODES = ['E01035660', 'E01004197', 'E01999999'];

type Random = () => number;
type Row = Partial<Record<ColumnName, string>>;

const iso = (dayNumber: number) => {
  const { year, month, day: d } = civilFromDay(dayNumber);
  return `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
};

function randomRow(random: Random, index: number): Row {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const row: Row = {
    pathway_id: `PW-${index}`,
    nhs_number: syntheticNhsNumber(random),
    date_of_birth: iso(PERIOD_START - between(30 * 365, 90 * 365)),
    person_stated_gender_code: pick(['1', '2', '9', 'X']),
    ethnic_category: pick(['A', 'C', 'H', 'M', 'N', 'R', 'Z', '99']),
    priority_type: '3',
    source_of_referral: '03',
  };
  const location = random();
  if (location < 0.55) row.postcode = pick(KNOWN_POSTCODES);
  else if (location < 0.7) row.postcode = UNKNOWN_POSTCODE;
  else if (location < 0.8) row.lsoa_code = pick(LSOA_CODES);
  else if (location < 0.87) row.postcode = 'NOT A POSTCODE';
  // else: no location at all

  // About a tenth of clocks stop in the month before the upload's: they are not counted.
  const stop =
    random() < 0.1
      ? between(PERIOD_START - 20, PERIOD_START - 1)
      : between(PERIOD_START, PERIOD_END);
  const kind = random();
  if (kind < 0.45) {
    // Faster diagnosis: USC, breast symptomatic or screening; every end reason.
    const wait = between(3, 60);
    const referral = stop - wait;
    const route = random();
    if (route < 0.15) {
      row.priority_type = '2';
      row.source_of_referral = '17';
    } else if (route < 0.3) row.cancer_referral_type = '16';
    else row.cancer_referral_type = pick(['01', '03', '07', '09']);
    row.referral_received_date = iso(referral);
    row.org_first_seen = pick(SITES);
    row.date_first_seen = iso(referral + Math.min(wait, between(1, 10)));
    if (random() < 0.2) row.first_seen_adjustment_days = String(between(0, 3));
    row.fds_end_date = iso(stop);
    row.fds_end_reason = pick(['01', '02', '02', '03', '04']);
    row.org_fds_end = pick(SITES);
    row.patient_status = pick(['03', '10', '14']);
  } else if (kind < 0.8) {
    // A first treatment (31- and 62-day), often transferred between trusts.
    const d62 = between(20, 120);
    const referral = stop - d62;
    const upgrade = random() < 0.1;
    row.cancer_referral_type = pick(['01', '03', '07']);
    row.referral_received_date = iso(referral);
    if (upgrade) row.consultant_upgrade_date = iso(referral + between(0, 5));
    const firstSeenAt = pick(SITES);
    row.org_first_seen = firstSeenAt;
    row.date_first_seen = iso(referral + between(1, 8));
    row.primary_diagnosis_icd10 = pick(['C50.9', 'C34.1', 'C61', 'C18.7']);
    row.decision_to_treat_date = iso(stop - between(0, Math.min(40, d62 - 10)));
    row.treatment_start_date = iso(stop);
    row.treatment_event_type = pick(['01', '01', '07', '12']);
    row.treatment_modality = pick(['01', '02', '23', '98']);
    if (random() < 0.15) row.treatment_adjustment_days = String(between(0, 5));
    const transfer = random();
    if (transfer < 0.5) {
      // Diagnosed at the first-seen trust, treated at another: the shared-breach scenarios,
      // an unaccountable transfer (no provider), and transfer dates missing or outside.
      const others = SITES.filter((site) => site.slice(0, 3) !== firstSeenAt.slice(0, 3));
      row.org_treatment_start = pick(others);
      if (random() < 0.8) row.accountable_investigating_provider = firstSeenAt.slice(0, 3);
      const when = random();
      if (when < 0.75) row.transfer_to_treatment_date = iso(referral + between(5, d62 - 1));
      else if (when < 0.85) row.transfer_to_treatment_date = iso(referral - between(1, 10));
    } else row.org_treatment_start = firstSeenAt;
    row.patient_status = '08';
  } else if (kind < 0.92) {
    // A subsequent treatment: 31-day only.
    row.referral_received_date = iso(stop - between(120, 300));
    row.primary_diagnosis_icd10 = pick(['C50.9', 'C61']);
    row.decision_to_treat_date = iso(stop - between(0, 45));
    row.treatment_start_date = iso(stop);
    row.treatment_event_type = pick(['02', '03', '05']);
    row.treatment_modality = pick(['01', '02', '05']);
    row.org_treatment_start = pick(SITES);
    row.patient_status = '08';
  } else {
    // Still open at the month end: counts in the backlog.
    row.cancer_referral_type = '03';
    row.referral_received_date = iso(PERIOD_END - between(5, 150));
    row.patient_status = pick(['14', '09', '10']);
  }
  if (random() < 0.05) {
    // Invalid records are excluded from both paths alike.
    row.nhs_number = '123';
  }
  return row;
}

function randomCsv(random: Random, rows: number): Uint8Array {
  const lines = [csvLine(CANONICAL_COLUMNS)];
  for (let i = 0; i < rows; i += 1) {
    const row = randomRow(random, i + 1);
    lines.push(csvLine(CANONICAL_COLUMNS.map((column) => row[column] ?? '')));
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

/** What the handlers hand each other through S3 objects: JSON, so round-trip it. */
const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Validate: the file in chunks of `chunkRows` valid records (Infinity = one chunk). */
async function validChunks(file: Uint8Array, chunkRows: number): Promise<PathwayRecord[][]> {
  const table = await openTable({ bytes: file, fileName: 'upload.csv' });
  const context = { submittingTrust: TRUST, period: PERIOD };
  const chunks: PathwayRecord[][] = [];
  await runIntake(
    table.rows,
    (row) => validateRow(row.cells, table.header.columns, row.row, context),
    async (_index, records) => {
      chunks.push(viaJson([...records]));
    },
    { rules: CONFIG.rules, chunkRows },
  );
  return chunks;
}

/** Enrich then Summarise one chunk, as the two handlers do. */
function summariseChunk(records: readonly PathwayRecord[], ref: ReferenceData): PartialAggregate {
  const enriched: EnrichedRecord[] = [];
  const warnings: Record<string, number> = {};
  const exceptions: RecordException[] = [];
  for (const record of records) {
    const derived = deriveRecord(record, TRUST, CONFIG.rules);
    const result = enrichRecord(record, derived, ref, CONFIG);
    for (const code of result.warnings) warnings[code] = (warnings[code] ?? 0) + 1;
    if (derived.exception) {
      const { code, field, message } = derived.exception;
      warnings[code] = (warnings[code] ?? 0) + 1;
      exceptions.push({ row: record.row, pathwayId: record.pathwayId, code, field, message });
    }
    enriched.push(result.enriched);
  }
  const accumulator = createAccumulator('sub-property', PERIOD);
  for (const record of viaJson(enriched)) accumulator.add(record);
  for (const [code, count] of Object.entries(warnings)) accumulator.addWarning(code, count);
  accumulator.addExceptions(viaJson(exceptions));
  return viaJson(accumulator.result());
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function merged(partials: readonly PartialAggregate[]): PartialAggregate {
  const [first, ...rest] = partials;
  if (!first) throw new Error('no partials');
  return rest.reduce(mergePartials, first);
}

let fixture: { dir: string; cleanup: () => void };
let ref: ReferenceData;

beforeAll(async () => {
  fixture = writeReferenceFixture();
  ref = await parseReferenceDirectory(fixture.dir, '2025');
});
afterAll(() => fixture.cleanup());

describe('chunked aggregation merges exactly', () => {
  it('equals the single pass for random files and random chunk sizes', async () => {
    // Prepare: 30 seeded files of 20–400 rows, each cut into chunks at three random sizes.
    const seen = { fractional: 0, postcodeUnknown: 0, noScenario: 0, backlog: 0, multiChunk: 0 };
    for (let file = 0; file < 30; file += 1) {
      const random = mulberry32(1000 + file);
      const rows = 20 + Math.floor(random() * 381);
      const csv = randomCsv(random, rows);
      const [whole] = await validChunks(csv, Number.POSITIVE_INFINITY);
      const single = summariseChunk(whole ?? [], ref);

      for (let trial = 0; trial < 3; trial += 1) {
        const chunkRows = 1 + Math.floor(random() * Math.max(1, rows / 2));
        // Act: chunk, summarise each chunk, merge in index order (as Aggregate) and shuffled.
        const chunks = await validChunks(csv, chunkRows);
        const partials = chunks.map((chunk) => summariseChunk(chunk, ref));
        const inOrder = merged(partials);
        const anyOrder = merged(shuffled(partials, random));

        // Assess: every field, exact equality (no tolerance for the 0.5 weights).
        expect(inOrder).toEqual(single);
        expect(anyOrder).toEqual(single);
        expect(cellsByStandard(inOrder)).toEqual(cellsByStandard(single));
        if (chunks.length > 1) seen.multiChunk += 1;
      }
      seen.fractional += Object.values(single.cells).filter(
        ([within, total]) => !Number.isInteger(within) || !Number.isInteger(total),
      ).length;
      seen.postcodeUnknown += single.warnings.POSTCODE_UNKNOWN ?? 0;
      seen.noScenario += single.exceptions?.length ?? 0;
      seen.backlog += Object.keys(single.cells).filter((key) => key.startsWith('backlog|')).length;
    }
    // Assess: the generator exercised what the property is about, so it did not hold vacuously.
    expect(seen.multiChunk).toBeGreaterThan(60);
    expect(seen.fractional).toBeGreaterThan(0);
    expect(seen.postcodeUnknown).toBeGreaterThan(0);
    expect(seen.noScenario).toBeGreaterThan(0);
    expect(seen.backlog).toBeGreaterThan(0);
  });

  it('adds half weights across chunks to the hand-computed sum', async () => {
    // Prepare: four pathways diagnosed at RF4 (accountable), treated at R1H on 20 February,
    // referral 80 days before, transfer on day 45: d62 = 80 > 62, d38 = 45 > 38, d24 = 35 > 24
    // → scenario 6, each trust 0 within of 0.5. Four of them: 0 of 2 for each trust.
    const treatment = day('2026-02-20');
    const referral = treatment - 80;
    const lines = [csvLine(CANONICAL_COLUMNS)];
    for (let i = 1; i <= 4; i += 1) {
      const row: Row = {
        pathway_id: `S6-${i}`,
        nhs_number: syntheticNhsNumber(mulberry32(i)),
        priority_type: '3',
        source_of_referral: '03',
        cancer_referral_type: '03',
        postcode: 'E1 1BB',
        referral_received_date: iso(referral),
        org_first_seen: 'RF401',
        date_first_seen: iso(referral + 5),
        accountable_investigating_provider: 'RF4',
        transfer_to_treatment_date: iso(referral + 45),
        primary_diagnosis_icd10: 'C34.1',
        decision_to_treat_date: iso(treatment - 10),
        treatment_start_date: iso(treatment),
        treatment_event_type: '01',
        treatment_modality: '02',
        org_treatment_start: 'R1H01',
        patient_status: '08',
      };
      lines.push(csvLine(CANONICAL_COLUMNS.map((column) => row[column] ?? '')));
    }
    const csv = Buffer.from(`${lines.join('\n')}\n`);

    // Act: one record per chunk.
    const chunks = await validChunks(csv, 1);
    const result = merged(chunks.map((chunk) => summariseChunk(chunk, ref)));

    // Assess
    expect(chunks).toHaveLength(4);
    expect(result.cells['62d|all|RF4|all']).toEqual([0, 2]);
    expect(result.cells['62d|all|R1H|all']).toEqual([0, 2]);
    // Under the treating allocation R1H owns all four breaches.
    expect(result.cells['62d-treating|all|R1H|all']).toEqual([0, 4]);
  });
});
