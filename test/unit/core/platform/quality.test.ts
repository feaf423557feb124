import { describe, expect, it } from 'vitest';
import { RulesSchema } from '../../../../lambdas/core/config';
import { type DataRow, runIntake } from '../../../../lambdas/core/intake';
import {
  buildScorecard,
  type ItemCounts,
  QualityAccumulator,
  type QualityCounts,
  type ReceivedSubmission,
  rawItemScore,
  scoreItems,
  shiftPeriod,
} from '../../../../lambdas/core/quality';
import { type QualityItem, QualityRulesSchema } from '../../../../lambdas/core/quality-config';
import { type ColumnIndex, validateRow } from '../../../../lambdas/core/validate';

const rules = RulesSchema.parse({});
const quality = QualityRulesSchema.parse({});

const HEADER = [
  'pathway_id',
  'nhs_number',
  'person_stated_gender_code',
  'ethnic_category',
  'postcode',
  'priority_type',
  'referral_received_date',
  'date_first_seen',
  'org_first_seen',
  'treatment_start_date',
  'treatment_modality',
] as const;
const COLUMNS: ColumnIndex = Object.fromEntries(HEADER.map((name, i) => [name, i]));

/**
 * Four rows for period 2025-06, each problem placed by hand:
 *   P1 clean; gender 2, ethnicity A, first seen at RF401, open.
 *   P2 gender X and ethnicity Z (both defaults), no postcode, treated (modality 01), not seen.
 *   P3 NHS number fails Modulus 11 (row invalid), ethnicity 99 (default, still valid), postcode
 *      not a postcode (warning), first seen before referral (DATE_ORDER on date_first_seen).
 *   P4 no gender, ethnicity Q (not a code: warning), lower-case postcode (valid once
 *      normalised), first seen with no site, treated with no modality.
 */
const ROWS: string[][] = [
  ['P1', '9990000018', '2', 'A', 'E1 1BB', '3', '2025-06-01', '2025-06-10', 'RF401', '', ''],
  ['P2', '9990000026', 'X', 'Z', '', '3', '2025-06-02', '', '', '2025-06-20', '01'],
  ['P3', '1234567890', '1', '99', 'NOTAPC', '3', '2025-06-03', '2025-06-01', 'RF4', '', ''],
  ['P4', '9990000034', '', 'Q', 'rm7 0ag', '3', '2025-06-04', '2025-06-05', '', '2025-06-25', ''],
];

async function* rowsOf(rows: string[][]): AsyncGenerator<DataRow> {
  for (const [i, cells] of rows.entries()) yield { row: i + 2, cells };
}

async function intakeQuality(rows: string[][]) {
  const context = { submittingTrust: 'RF4', period: '2025-06' };
  return runIntake(
    rowsOf(rows),
    (row) => validateRow(row.cells, COLUMNS, row.row, context),
    async () => {},
    { rules, chunkRows: 100, columns: COLUMNS },
  );
}

function counts(records: number, complete: number, valid: number, defaults: number): ItemCounts {
  return { records, complete, valid, defaults };
}

describe('quality accumulator (through runIntake and the validator)', () => {
  it('counts every row, valid or not, per item: applies, complete, valid, default', async () => {
    // Act
    const summary = await intakeQuality(ROWS);

    // Assess: P3 is the one invalid row, and it still counts
    expect(summary).toMatchObject({ total: 4, valid: 3, invalid: 1 });
    const items = summary.quality?.items ?? {};
    expect(summary.quality?.rows).toBe(4);
    expect(items).toMatchObject({
      // 4 given; P3 fails Modulus 11
      nhs_number: counts(4, 4, 3, 0),
      // P4 blank; X on P2 is a default
      person_stated_gender_code: counts(4, 3, 3, 1),
      // Q on P4 is invalid; Z (P2) and 99 (P3) are defaults, P3's invalid row notwithstanding
      ethnic_category: counts(4, 4, 3, 2),
      // P2 blank; NOTAPC invalid; rm7 0ag valid once normalised
      postcode: counts(4, 3, 2, 0),
      priority_type: counts(4, 4, 4, 0),
      referral_received_date: counts(4, 4, 4, 0),
      // applies where given (P1, P3, P4); P3 is before its referral
      date_first_seen: counts(3, 3, 2, 0),
      // applies where a first-seen date is given; P4 has none
      org_first_seen: counts(3, 2, 2, 0),
      // P2 and P4 treated; P4 has no modality
      treatment_start_date: counts(2, 2, 2, 0),
      treatment_modality: counts(2, 1, 1, 0),
      // column absent: every applicable row is incomplete
      date_of_birth: counts(4, 0, 0, 0),
      decision_to_treat_date: counts(2, 0, 0, 0),
      // its trigger (fds_end_date) is not in the file: never applies
      fds_end_reason: counts(0, 0, 0, 0),
    });
  });

  it('keeps counts only: no cell value reaches the stored figures', async () => {
    // Act
    const summary = await intakeQuality(ROWS);

    // Assess
    const stored = JSON.stringify(summary.quality);
    for (const value of ['9990000018', '1234567890', 'E1 1BB', 'RM7 0AG', 'NOTAPC', 'RF401']) {
      expect(stored).not.toContain(value);
    }
  });

  it('treats blank-looking cells as the validator does (whitespace only is blank)', () => {
    // Prepare
    const accumulator = new QualityAccumulator({ ethnic_category: 0 }, quality);

    // Act: ' z ' is Z after normalisation, a default; '\u00a0' and '  ' are blank
    accumulator.add([' z ']);
    accumulator.add(['\u00a0']);
    accumulator.add(['  ']);

    // Assess
    expect(accumulator.counts().items.ethnic_category).toEqual(counts(3, 1, 1, 1));
  });

  it('uses configured default codes, compared after normalisation', () => {
    // Prepare: source of referral 97 counted as a default; '97' and ' 97' both match
    const rulesWith97 = QualityRulesSchema.parse({ defaultCodes: { source_of_referral: ['97'] } });
    const accumulator = new QualityAccumulator({ source_of_referral: 0 }, rulesWith97);

    // Act
    for (const cell of ['97', ' 97', '03']) accumulator.add([cell]);

    // Assess
    expect(accumulator.counts().items.source_of_referral).toEqual(counts(3, 3, 3, 2));
  });

  it('keeps the built-in default codes and thresholds of the items config does not name', () => {
    // Act: one item's codes and another's threshold configured
    const rules = QualityRulesSchema.parse({
      defaultCodes: { source_of_referral: ['97'] },
      defaultThresholds: { ethnic_category: 0.1 },
    });

    // Assess: ethnicity Z/99 and gender X/9 still count as defaults; gender keeps its 1%
    expect(rules.defaultCodes).toEqual({
      ethnic_category: ['Z', '99'],
      person_stated_gender_code: ['X', '9'],
      source_of_referral: ['97'],
    });
    expect(rules.defaultThresholds).toEqual({
      ethnic_category: 0.1,
      person_stated_gender_code: 0.01,
    });
  });

  it('leaves quality null when intake is not given the column positions', async () => {
    const summary = await runIntake(
      rowsOf(ROWS),
      (row) =>
        validateRow(row.cells, COLUMNS, row.row, { submittingTrust: 'RF4', period: '2025-06' }),
      async () => {},
      { rules, chunkRows: 100 },
    );
    expect(summary.quality).toBeNull();
  });
});

/**
 * Submission A (200 rows), worked by hand with the default thresholds (ethnicity 5%, gender 1%):
 *   ethnic_category  200 / 190 / 180 / 30 defaults: excess 30 − 0.05×200 = 20 → (180−20)/200 = 80.0
 *   gender           200 / 200 / 200 / 1 default:   excess max(0, 1 − 0.01×200) = 0 → 100.0
 *   nhs_number       200 / 200 / 190 / 0:           190/200 = 95.0
 *   treatment_modality applies to no row → left out of the mean
 *   mean item score = (80 + 100 + 95) / 3 = 91.666… → 91.7
 */
const SUBMISSION_A: QualityCounts = {
  version: 1,
  rows: 200,
  items: {
    ethnic_category: counts(200, 190, 180, 30),
    person_stated_gender_code: counts(200, 200, 200, 1),
    nhs_number: counts(200, 200, 190, 0),
    treatment_modality: counts(0, 0, 0, 0),
  },
};
/** Submission B (100 rows): 100, 100 and 99 → mean 99.666… */
const SUBMISSION_B: QualityCounts = {
  version: 1,
  rows: 100,
  items: {
    ethnic_category: counts(100, 100, 100, 0),
    person_stated_gender_code: counts(100, 100, 99, 0),
    nhs_number: counts(100, 100, 100, 0),
  },
};

describe('DQMI item scores', () => {
  it('scores each item as (valid − defaults in excess) / records × 100', () => {
    // Act
    const { items, meanItemScore } = scoreItems(SUBMISSION_A, quality);

    // Assess
    const byItem = new Map(items.map((item) => [item.item, item]));
    expect(byItem.get('ethnic_category')).toMatchObject({
      completenessPct: 95, // 190/200
      validityPct: 94.7, // 180/190 = 94.73…
      defaultSharePct: 15, // 30/200
      defaultThresholdPct: 5,
      defaultsInExcess: 20,
      score: 80,
    });
    expect(byItem.get('person_stated_gender_code')).toMatchObject({
      defaultsInExcess: 0,
      score: 100,
    });
    expect(byItem.get('nhs_number')?.score).toBe(95);
    expect(byItem.get('treatment_modality')).toMatchObject({ score: null, completenessPct: null });
    expect(meanItemScore).toBeCloseTo(275 / 3, 10);
  });

  it('lets no more defaults than the threshold allows go unpunished, and never scores below 0', () => {
    // 10 records, all Z: threshold 0 → excess 10 → (10 − 10)/10 = 0
    expect(rawItemScore(counts(10, 10, 10, 10), 0)).toBe(0);
    // threshold 0.5 → excess 5 → (10 − 5)/10 = 50
    expect(rawItemScore(counts(10, 10, 10, 10), 0.5)).toBe(50);
    expect(rawItemScore(counts(0, 0, 0, 0), 0.5)).toBeNull();
  });
});

describe('scorecard: coverage, DQMI and trend', () => {
  // 2025-05 and 2025-07 received, 2025-06 never accepted; today 2025-09-10 with the default
  // deadline (25 days after month end): May–July are due (deadlines 06-25, 07-25, 08-25),
  // August (09-25) is not.
  const received = new Map<string, Map<string, ReceivedSubmission>>([
    [
      'RF4',
      new Map([
        ['2025-05', { submissionId: 'a', quality: SUBMISSION_A }],
        ['2025-07', { submissionId: 'b', quality: SUBMISSION_B }],
      ]),
    ],
  ]);
  const quarterly = QualityRulesSchema.parse({ coverageMonths: 3 });
  const deadline = { daysAfterPeriodEnd: 25, lookbackMonths: 3 };

  it('multiplies the mean item score by the coverage of expected months in the window', () => {
    // Act
    const [rf4] = buildScorecard({
      trusts: ['RF4'],
      from: '2025-05',
      to: '2025-08',
      today: '2025-09-10',
      received,
      firstAccepted: new Map([['RF4', '2025-05']]),
      quality: quarterly,
      deadline,
    });

    // Assess. No go-live month: expectations start at the first accepted file (May).
    //   May:  window Mar–May, expected {May} received 1 → 1 → 91.666… × 1 = 91.7
    //   Jun:  window Apr–Jun, expected {May, Jun} received 1 → 0.5; missing, no score
    //   Jul:  window May–Jul, expected 3 received 2 → 2/3 → 99.666… × 2/3 = 66.44… → 66.4
    //   Aug:  not yet due; window Jun–Aug expected {Jun, Jul} received 1 → 0.5
    expect(rf4?.periods.map((p) => [p.period, p.status, p.coverage.share, p.dqmi])).toEqual([
      ['2025-05', 'received', 1, 91.7],
      ['2025-06', 'missing', 0.5, null],
      ['2025-07', 'received', 0.667, 66.4],
      ['2025-08', 'not-expected', 0.5, null],
    ]);
    expect(rf4?.periods[0]).toMatchObject({
      submissionId: 'a',
      records: 200,
      itemScore: 91.7,
      belowMinimum: false,
      coverage: { expected: 1, received: 1, from: '2025-03', to: '2025-05' },
    });
    expect(rf4?.periods[2]).toMatchObject({ itemScore: 99.7, belowMinimum: true, change: null });
    // trend over the range: 66.4 − 91.7 = −25.3
    expect(rf4?.trend).toEqual({
      first: { period: '2025-05', dqmi: 91.7 },
      last: { period: '2025-07', dqmi: 66.4 },
      change: -25.3,
      direction: 'worsening',
    });
  });

  it('counts months from the configured go-live month, and the change month on month', () => {
    // Prepare: go-live April, so April is expected and missing
    const goLive = { ...deadline, firstPeriod: '2025-04' };
    const both = new Map([
      [
        'RF4',
        new Map([
          ['2025-05', { submissionId: 'a', quality: SUBMISSION_A }],
          ['2025-06', { submissionId: 'b', quality: SUBMISSION_B }],
        ]),
      ],
    ]);

    // Act
    const [rf4] = buildScorecard({
      trusts: ['RF4'],
      from: '2025-05',
      to: '2025-06',
      today: '2025-09-10',
      received: both,
      firstAccepted: new Map(),
      quality: quarterly,
      deadline: goLive,
    });

    // Assess
    //   May: window Mar–May, expected {Apr, May} received 1 → 0.5 → 91.666… × 0.5 = 45.83 → 45.8
    //   Jun: window Apr–Jun, expected 3 received 2 → 99.666… × 2/3 = 66.4; change 66.4 − 45.8 = 20.6
    expect(rf4?.periods.map((p) => [p.dqmi, p.change])).toEqual([
      [45.8, null],
      [66.4, 20.6],
    ]);
    expect(rf4?.trend.direction).toBe('improving');
  });

  it('shows a received month stored before scoring existed without a score', () => {
    const [r1h] = buildScorecard({
      trusts: ['R1H'],
      from: '2025-05',
      to: '2025-05',
      today: '2025-09-10',
      received: new Map([['R1H', new Map([['2025-05', { submissionId: 'old', quality: null }]])]]),
      firstAccepted: new Map([['R1H', '2025-05']]),
      quality,
      deadline,
    });
    expect(r1h?.periods[0]).toMatchObject({ status: 'received', dqmi: null, items: [] });
    expect(r1h?.trend).toEqual({ first: null, last: null, change: null, direction: null });
  });

  it("counts months missed before the window's first file when the trust joined earlier", () => {
    // Prepare: RF4's first accepted file was in January; in the window Mar–May only May arrived
    const onlyMay = new Map([
      ['RF4', new Map([['2025-05', { submissionId: 'a', quality: SUBMISSION_A }]])],
    ]);

    // Act
    const [rf4] = buildScorecard({
      trusts: ['RF4'],
      from: '2025-05',
      to: '2025-05',
      today: '2025-09-10',
      received: onlyMay,
      firstAccepted: new Map([['RF4', '2025-01']]),
      quality: quarterly,
      deadline,
    });

    // Assess: March and April were due and missing → expected 3, received 1 → 91.666… / 3 = 30.6
    expect(rf4?.periods[0]?.coverage).toMatchObject({ expected: 3, received: 1 });
    expect(rf4?.periods[0]?.dqmi).toBe(30.6);
  });

  it('moves periods across year ends', () => {
    expect(shiftPeriod('2025-01', -1)).toBe('2024-12');
    expect(shiftPeriod('2024-12', 13)).toBe('2026-01');
  });
});

// Keeps the item list honest: every assessed item has a name the upload contract knows.
describe('assessed items', () => {
  it('are all upload-contract columns', async () => {
    const { CANONICAL_COLUMNS } = await import('../../../../lambdas/core/record');
    const { QUALITY_ITEMS } = await import('../../../../lambdas/core/quality-config');
    const known: ReadonlySet<string> = new Set(CANONICAL_COLUMNS);
    expect(QUALITY_ITEMS.filter((item: QualityItem) => !known.has(item))).toEqual([]);
  });
});
